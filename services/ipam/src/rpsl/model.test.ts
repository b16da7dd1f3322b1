import { ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { inet6numFor, inetnumFor } from './builders.js';
import {
  normalisedKey,
  parseRpsl,
  primaryKey,
  type RpslObject,
  renderRpsl,
  renderRpslObjects,
} from './model.js';
import { parseInetnumKey, prefixToRange, rangeAsPrefix, rangeToPrefixes } from './range.js';

const base = {
  netname: 'example-net',
  country: 'fr',
  adminC: ['AA1-TEST'],
  techC: ['TT1-TEST', 'TT2-TEST'],
  mntBy: ['EXAMPLE-MNT'],
  source: 'test',
};

describe('renderRpsl', () => {
  it('prints an inetnum as the RIPE database does: range key, values at column 16', () => {
    const obj = inetnumFor({
      ...base,
      prefix: '192.0.2.0/24',
      status: 'assigned pa',
      descr: 'Example University',
    });
    expect(renderRpsl(obj)).toBe(
      [
        'inetnum:        192.0.2.0 - 192.0.2.255',
        'netname:        EXAMPLE-NET',
        'descr:          Example University',
        'country:        FR',
        'admin-c:        AA1-TEST',
        'tech-c:         TT1-TEST',
        'tech-c:         TT2-TEST',
        'status:         ASSIGNED PA',
        'mnt-by:         EXAMPLE-MNT',
        'source:         TEST',
        '',
      ].join('\n'),
    );
  });

  it('keeps one space after a 16-character name and pads continuation lines', () => {
    const obj = inet6numFor({
      ...base,
      prefix: '2001:DB8:1000::/36',
      status: 'AGGREGATED-BY-LIR',
      assignmentSize: 48,
    });
    const text = renderRpsl(obj);
    expect(text).toContain('inet6num:       2001:db8:1000::/36\n');
    expect(text).toContain('assignment-size: 48\n');
    const multi: RpslObject = { type: 'route', attributes: [{ name: 'descr', value: 'one\n\ntwo' }] };
    expect(renderRpsl(multi)).toBe(`descr:          one\n+\n${' '.repeat(16)}two\n`);
  });

  it('round-trips render → parse', () => {
    const objs = [
      inetnumFor({
        ...base,
        prefix: '198.51.100.64/26',
        status: 'ASSIGNED PA',
        descr: ['Line one', 'Line two'],
        org: 'ORG-EX1-TEST',
      }),
      inet6numFor({ ...base, prefix: '2001:db8:42::/48', status: 'ASSIGNED', remarks: ['no comment here'] }),
    ];
    expect(parseRpsl(renderRpslObjects(objs))).toEqual(objs);
  });
});

const SPLIT_EXCERPT = `#
# The contents of this file are subject to
# RIPE Database Terms and Conditions
#
# http://www.ripe.net/db/support/db-terms-conditions.pdf
#

% Information related to '192.0.2.0 - 192.0.2.255'

INETNUM:        192.0.2.0 - 192.0.2.255
netname:        EXAMPLE-NET   # the campus
descr:          Example University,
                main campus
+               building A
descr:          Paris
country:        FR
admin-c:        DUMY-RIPE
tech-c:         DUMY-RIPE
status:         ASSIGNED PA
mnt-by:         EXAMPLE-MNT
created:        2012-01-01T10:00:00Z
last-modified:  2024-05-06T07:08:09Z
source:         RIPE # Filtered
remarks:        ****************************
remarks:        * THIS OBJECT IS MODIFIED
\tremarks-continued-with-a-tab

inet6num:       2001:db8::/32
netname:        EXAMPLE-V6
country:        FR
admin-c:        DUMY-RIPE
tech-c:         DUMY-RIPE
status:         ALLOCATED-BY-RIR
mnt-by:         RIPE-NCC-HM-MNT
mnt-by:         EXAMPLE-MNT
source:         RIPE
`;

describe('parseRpsl', () => {
  it('reads a split-file excerpt with comments, continuation lines and end-of-line comments', () => {
    const [v4, v6, ...rest] = parseRpsl(SPLIT_EXCERPT);
    expect(rest).toEqual([]);
    expect(v4!.type).toBe('inetnum');
    expect(v4!.attributes[0]).toEqual({ name: 'inetnum', value: '192.0.2.0 - 192.0.2.255' });
    expect(v4!.attributes.find((a) => a.name === 'netname')!.value).toBe('EXAMPLE-NET');
    expect(v4!.attributes.filter((a) => a.name === 'descr').map((a) => a.value)).toEqual([
      'Example University, main campus building A',
      'Paris',
    ]);
    expect(v4!.attributes.find((a) => a.name === 'source')!.value).toBe('RIPE');
    expect(v4!.attributes.at(-1)).toEqual({
      name: 'remarks',
      value: '* THIS OBJECT IS MODIFIED remarks-continued-with-a-tab',
    });
    expect(v6!.type).toBe('inet6num');
    expect(v6!.attributes.filter((a) => a.name === 'mnt-by')).toHaveLength(2);
  });

  it('names the line of what it cannot read', () => {
    const bad = 'inetnum: 192.0.2.0 - 192.0.2.255\nnetname EXAMPLE\n';
    expect(() => parseRpsl(bad)).toThrow(ValidationError);
    expect(() => parseRpsl(bad)).toThrow(/line 2/);
    expect(() => parseRpsl('# header\n  orphan continuation\n')).toThrow(/line 2: continuation/);
    expect(() => parseRpsl('inetnum:\nnetname: X\n')).toThrow(/line 1: "inetnum:" has no value/);
  });

  it('refuses other object types unless asked to skip them, naming the line', () => {
    const text = `${SPLIT_EXCERPT}\nperson:  Some One\nnic-hdl: SO1-RIPE\nsource: RIPE\n`;
    const line = SPLIT_EXCERPT.split('\n').length + 1;
    expect(() => parseRpsl(text)).toThrow(`line ${line}: object type "person"`);
    expect(parseRpsl(text, { skipOtherTypes: true })).toHaveLength(2);
  });

  it('keys route objects by prefix + origin and normalises keys', () => {
    const [route] = parseRpsl('route: 193.0.0.0/21\norigin: as3333\nmnt-by: X-MNT\nsource: RIPE\n');
    expect(primaryKey(route!)).toBe('193.0.0.0/21as3333');
    expect(normalisedKey(route!)).toBe('route:193.0.0.0/21AS3333');
    const a = parseRpsl('inetnum: 192.0.2.0/24\n')[0]!;
    const b = parseRpsl('inetnum: 192.0.2.0-192.0.2.255\n')[0]!;
    expect(normalisedKey(a)).toBe(normalisedKey(b));
  });
});

describe('IPv4 ranges', () => {
  it('converts prefixes and ranges', () => {
    expect(prefixToRange('10.0.0.0/8')).toEqual({ start: 10 * 2 ** 24, end: 11 * 2 ** 24 - 1 });
    expect(rangeToPrefixes(parseInetnumKey('0.0.0.0 - 255.255.255.255'))).toEqual(['0.0.0.0/0']);
    expect(rangeToPrefixes(parseInetnumKey('192.0.2.0 - 192.0.3.127'))).toEqual([
      '192.0.2.0/24',
      '192.0.3.0/25',
    ]);
    expect(rangeAsPrefix(parseInetnumKey('192.0.2.0 - 192.0.2.127'))).toBe('192.0.2.0/25');
    expect(() => prefixToRange('192.0.2.1/24')).toThrow(/host bits/);
    expect(() => parseInetnumKey('192.0.2.9 - 192.0.2.1')).toThrow(/ends before/);
  });

  it('decomposes every range of a small space into aligned blocks covering it exactly', () => {
    const origin = 10 * 2 ** 24;
    for (let s = 0; s < 64; s++) {
      for (let e = s; e < 64; e++) {
        const ps = rangeToPrefixes({ start: origin + s, end: origin + e });
        let next = origin + s;
        for (const p of ps) {
          const r = prefixToRange(p); // throws if not aligned
          expect(r.start).toBe(next);
          next = r.end + 1;
        }
        expect(next).toBe(origin + e + 1);
        // Minimal: no two neighbours of equal size could merge into one aligned block.
        expect(ps.length).toBeLessThanOrEqual(2 * 6);
      }
    }
  });
});
