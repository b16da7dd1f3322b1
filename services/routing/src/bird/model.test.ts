import { ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import {
  BOGONS_V4,
  BOGONS_V6,
  type CollectorConfigInput,
  checkBirdConfig,
  renderCollectorConfig,
} from './index.js';
import { basic, empty, many, multi } from './test/fixtures.js';
import { golden, significant } from './test/golden.js';

/** The body of `define NAME = [ … ];`, or undefined when the set is not defined. */
function setBody(text: string, name: string): string | undefined {
  const m = new RegExp(`^define ${name} = \\[\\n([\\s\\S]*?)^\\];`, 'm').exec(text);
  return m ? significant(m[1]!) : undefined;
}

/** Every prefix-set entry of the sessions (not the bogon sets). */
function sessionEntries(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^define S_\w+ = \[\n([\s\S]*?)^\];/gm)) {
    out.push(
      ...significant(m[1]!)
        .split('\n')
        .map((l) => l.trim().replace(/,$/, '')),
    );
  }
  return out;
}

describe('renderCollectorConfig: bird -p and golden files', () => {
  const fixtures: [string, CollectorConfigInput][] = [
    ['basic', basic],
    ['empty', empty],
    ['multi', multi],
  ];
  for (const [name, input] of fixtures) {
    it(`${name}: passes bird -p and matches golden/${name}.conf`, async () => {
      const { text } = renderCollectorConfig(input);
      expect(await checkBirdConfig(text)).toEqual({ ok: true, errors: [] });
      expect(significant(text)).toBe(significant(golden(name, text)));
    });
  }

  it('many sessions (120 sessions, 6,000 prefixes) pass bird -p', async () => {
    const { text, counts, rejected } = renderCollectorConfig(many(120, 30, 20));
    expect(counts).toEqual({ v4: 3600, v6: 2400 });
    expect(rejected).toEqual([]);
    expect(await checkBirdConfig(text)).toEqual({ ok: true, errors: [] });
  });

  it('a narrower length limit is rendered and enforced', async () => {
    const { text, rejected } = renderCollectorConfig(basic, { maxLengthV4: 22, maxLengthV6: 44 });
    expect(text).toContain('if net.type = NET_IP4 && net.len > 22 then reject;');
    expect(text).toContain('if net.type = NET_IP6 && net.len > 44 then reject;');
    expect(rejected.map((r) => [r.prefix, r.code])).toEqual([
      ['193.48.0.0/22', 'MAX_LENGTH_BEYOND_LIMIT'],
      ['2001:660:3000::/40', 'MAX_LENGTH_BEYOND_LIMIT'],
      ['2001:660:3100::/48', 'TOO_LONG'],
    ]);
    expect(await checkBirdConfig(text)).toEqual({ ok: true, errors: [] });
  });
});

describe('renderCollectorConfig: content', () => {
  it('one set per session and family, sorted, institutions named in comments', () => {
    const { text } = renderCollectorConfig(multi);
    expect(setBody(text, 'S_CAMPUS_LYON_V4')).toBe(
      ['  134.214.0.0/16,', '  195.220.0.0/18{18,24}'].join('\n'),
    );
    expect(text).toMatch(/# INSA-LYON \(AS65021\)\n {2}134\.214\.0\.0\/16,\n {2}195\.220/);
    // UNIV-LYON1's 134.214.0.0/16 went to INSA-LYON (first in order): only its IPv6 is left.
    expect(text).toMatch(/# UNIV-LYON1 \(AS65020\)\n {2}2001:660:5001::\/48\n\];/);
    expect(setBody(text, 'S_CAMPUS_LYON_V6')).toBe('  2001:660:5001::/48');
    expect(setBody(text, 'S_CNRS_RHONE_V6')).toBe('  2001:660:5100::/40{40,44}');
    expect(text).toContain('if ! (bgp_path.last ~ [ 65020, 65021 ]) then reject;');
    expect(text).toContain('if bgp_path.last != 65030 then reject;');
    expect(text).toContain('import limit 500 action restart;');
    expect(text).toContain('import keep filtered on;');
    expect(text).toContain('local 193.51.60.1 as 2201;');
    expect(text).toContain('multihop 2;');
    // Filter order: bogons → too long → allowed set → origin → accept.
    const filter = /filter f_import_campus_lyon \{([\s\S]*?)\n\}/.exec(text)![1]!;
    const at = (s: string) => filter.indexOf(s);
    expect(at('BOGONS_V4')).toBeGreaterThan(0);
    expect(at('net.len > 24')).toBeGreaterThan(at('BOGONS_V6'));
    expect(at('S_CAMPUS_LYON_V4')).toBeGreaterThan(at('net.len > 48'));
    expect(at('bgp_path.last')).toBeGreaterThan(at('S_CAMPUS_LYON_V6'));
    expect(filter.trim().endsWith('accept;')).toBe(true);
  });

  it('export none by default, all when configured', () => {
    const { text } = renderCollectorConfig(empty);
    const block = (name: string) => new RegExp(`protocol bgp p_${name} \\{[\\s\\S]*?\\n\\}`).exec(text)![0];
    expect(block('nothing')).toContain('export none;');
    expect(block('nothing')).not.toContain('export all;');
    expect(block('v6_only')).toContain('export all;');
  });

  it('an empty prefix list denies everything and never writes []', () => {
    const { text } = renderCollectorConfig(empty);
    expect(text).not.toMatch(/\[\s*\]/);
    for (const name of ['nothing', 'no_prefix', 'all_refused']) {
      const id = name.toUpperCase();
      expect(setBody(text, `S_${id}_V4`)).toBeUndefined();
      expect(setBody(text, `S_${id}_V6`)).toBeUndefined();
      const filter = new RegExp(`filter f_import_${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)![1]!;
      expect(filter).toContain('if net.type = NET_IP4 then reject;');
      expect(filter).toContain('if net.type = NET_IP6 then reject;');
      expect(filter).not.toContain('accept');
    }
    const v6only = /filter f_import_v6_only \{([\s\S]*?)\n\}/.exec(text)![1]!;
    expect(v6only).toContain('if net.type = NET_IP4 then reject;');
    expect(v6only).toContain('! (net ~ S_V6_ONLY_V6)');
  });

  it('refuses what BIRD accepts silently, each with its reason, never in the text', () => {
    const { text, rejected } = renderCollectorConfig(multi);
    expect(rejected.map((r) => [r.session, r.institution, r.prefix, r.code])).toEqual([
      ['campus_lyon', 'UNIV-LYON1', '134.214.0.0/16', 'OTHER_INSTITUTION'],
      ['campus_lyon', 'UNIV-LYON1', '134.214.0.0/16', 'OTHER_INSTITUTION'],
      ['campus_lyon', 'UNIV-LYON1', '134.215.0.0/16', 'MAX_LENGTH_BELOW_PREFIX'],
      ['campus_lyon', 'UNIV-LYON1', '134.216.0.0/16', 'MAX_LENGTH_BEYOND_LIMIT'],
      ['campus_lyon', 'UNIV-LYON1', '192.168.10.0/24', 'BOGON'],
      ['campus_lyon', 'UNIV-LYON1', '2001:660:5002::/48', 'MAX_LENGTH_BEYOND_LIMIT'],
      ['campus_lyon', 'UNIV-LYON1', '::ffff:134.214.1.0/120', 'IPV4_IN_IPV6'],
      ['cnrs_rhone', 'CNRS-RA', '100.64.0.0/10', 'BOGON'],
      ['cnrs_rhone', 'CNRS-RA', '147.174.0.1/16', 'INVALID_PREFIX'],
    ]);
    const reasons = Object.fromEntries(rejected.map((r) => [r.prefix, r.reason]));
    expect(reasons['134.215.0.0/16']).toBe('maxLength 12 is shorter than the prefix length /16');
    expect(reasons['134.216.0.0/16']).toBe('maxLength 33 is beyond the IPv4 limit of 32');
    expect(reasons['2001:660:5002::/48']).toMatch(/maxLength 64 is beyond \/48/);
    expect(reasons['192.168.10.0/24']).toMatch(/bogon 192\.168\.0\.0\/16, private use \(RFC 1918\)/);
    expect(reasons['100.64.0.0/10']).toMatch(/RFC 6598/);
    expect(reasons['147.174.0.1/16']).toMatch(/host bits/);
    expect(reasons['134.214.0.0/16']).toMatch(/already announced for INSA-LYON \(AS65021/);
    const entries = sessionEntries(text);
    for (const e of [
      '134.215.0.0/16',
      '134.216.0.0/16',
      '192.168.10.0/24',
      '2001:660:5002::/48',
      '100.64.0.0/10',
    ]) {
      expect(entries.some((x) => x.startsWith(`${e}`))).toBe(false);
    }
    expect(entries.some((x) => x.includes('::ffff') || x.includes('c130'))).toBe(false);
  });

  it('refuses every bogon of the list, and anything covering one (default routes)', () => {
    const prefixes = [...BOGONS_V4, ...BOGONS_V6].map((b) => ({ prefix: b.prefix }));
    prefixes.push(
      { prefix: '0.0.0.0/0' },
      { prefix: '::/0' },
      { prefix: '127.0.0.1/32' },
      { prefix: 'ff02::/16' },
    );
    const { text, rejected, counts } = renderCollectorConfig({
      collector: basic.collector,
      sessions: [{ ...basic.sessions[0]!, institutions: [{ shortName: 'BAD', originAs: 65001, prefixes }] }],
    });
    expect(counts).toEqual({ v4: 0, v6: 0 });
    expect(rejected).toHaveLength(prefixes.length);
    expect(
      rejected.every((r) => r.code === 'BOGON' || r.code === 'TOO_LONG' || r.code === 'IPV4_IN_IPV6'),
    ).toBe(true);
    expect(rejected.filter((r) => r.code === 'BOGON').length).toBeGreaterThanOrEqual(prefixes.length - 2);
    expect(sessionEntries(text)).toEqual([]);
  });

  it('the same input in any order gives byte-identical text', () => {
    const shuffled: CollectorConfigInput = {
      collector: multi.collector,
      sessions: [...multi.sessions].reverse().map((s) => ({
        ...s,
        institutions: [...s.institutions]
          .reverse()
          .map((i) => ({ ...i, prefixes: [...i.prefixes].reverse() })),
      })),
    };
    const a = renderCollectorConfig(multi);
    const b = renderCollectorConfig(shuffled);
    expect(b.text).toBe(a.text);
    expect(b.rejected).toEqual(a.rejected);
  });

  it('malformed sessions throw a ValidationError', () => {
    const s = basic.sessions[0]!;
    const bad =
      (patch: Partial<typeof s>, c: Partial<CollectorConfigInput['collector']> = {}) =>
      () =>
        renderCollectorConfig({ collector: { ...basic.collector, ...c }, sessions: [{ ...s, ...patch }] });
    expect(bad({ name: 'univ-paris' })).toThrow(ValidationError);
    expect(bad({ name: '1abc' })).toThrow(ValidationError);
    expect(bad({ peerAddress: '193.51.24' })).toThrow(ValidationError);
    expect(bad({ peerAsn: 4294967296 })).toThrow(ValidationError);
    expect(bad({ importLimit: 0 })).toThrow(ValidationError);
    expect(bad({}, { routerId: '2001:660::1' })).toThrow(ValidationError);
    expect(() =>
      renderCollectorConfig({ collector: basic.collector, sessions: [s, { ...s, name: 'UNIV_PARIS' }] }),
    ).toThrow(/clashes/);
  });
});

describe('checkBirdConfig', () => {
  it('reports line, column and message of the first error', async () => {
    const r = await checkBirdConfig('router id 193.51.0.1;\ndefine X = [ 2001:660::/32{48,32} ];\n');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([{ line: 2, column: 33, message: 'Invalid prefix pattern range: {48, 32}' }]);
    const host = await checkBirdConfig('define X = [ 193.48.0.1/24 ];\n');
    expect(host.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/Invalid IPv4 prefix/) });
  });

  it('accepts a minimal config', async () => {
    expect(await checkBirdConfig('router id 193.51.0.1;\nprotocol device {\n}\n')).toEqual({
      ok: true,
      errors: [],
    });
  });
});
