import { describe, expect, it } from 'vitest';
import { kindOf, toItem } from './kinds.js';
import { parseRows } from './rows.js';

describe('apply kinds', () => {
  it('reads a YAML stream: a kind per document, given to its items, or a kind per row', () => {
    const rows = parseRows(
      [
        '- { institution: i, family: 6, length: 48, purpose: p }',
        '---',
        'kind: routing',
        'items:',
        '  - { institution: i, prefixes: [2001:db8::/48], collector: c }',
        '---',
        '{ kind: rdns, institution: i, zone: z.ip6.arpa, nameservers: [ns1.a.fr, { name: ns2.z.ip6.arpa, addresses: [2001:db8::53] }] }',
        '',
      ].join('\n'),
      'f.yaml',
    );
    expect(rows.map((r) => r.kind ?? 'prefix')).toEqual(['prefix', 'routing', 'rdns']);
    const [prefix, routing, rdns] = rows.map(toItem);
    expect(prefix).toMatchObject({ kind: 'prefix', input: { family: 'IPV6', length: 48 } });
    expect(routing).toMatchObject({
      kind: 'routing',
      input: { institutionId: 'i', prefixes: ['2001:db8::/48'], collectorId: 'c' },
    });
    expect(rdns).toMatchObject({
      kind: 'rdns',
      input: {
        zone: 'z.ip6.arpa',
        nameservers: [{ name: 'ns1.a.fr' }, { name: 'ns2.z.ip6.arpa', addresses: ['2001:db8::53'] }],
      },
    });
  });

  it('reads lists from a CSV cell (spaces or semicolons), keys rows by kind and content', () => {
    const a = toItem({ kind: 'routing.change', institution: 'i', prefixes: '2001:db8::/48; 192.0.2.0/24' });
    expect(a).toMatchObject({ kind: 'routing', input: { prefixes: ['2001:db8::/48', '192.0.2.0/24'] } });
    expect(toItem({ institution: 'i', prefixes: '2001:db8::/48 192.0.2.0/24', kind: 'routing' })).toEqual(a);
    expect(toItem({ kind: 'routing', institution: 'i', prefixes: '2001:db8::/48' })).not.toEqual(a);
    expect(toItem({ kind: 'rdns', institution: 'i', zone: 'z', ns: 'a b', key: 'k' })).toMatchObject({
      idempotencyKey: 'k',
      input: { nameservers: [{ name: 'a' }, { name: 'b' }] },
    });
  });

  it('withdraws every announcement only when a row says `prefixes: []`, never when it forgets them', () => {
    expect(toItem({ kind: 'routing', institution: 'i', prefixes: [] })).toMatchObject({
      input: { prefixes: [] },
    });
    expect(toItem({ kind: 'routing', institution: 'i', collector: 'c' })).toMatchObject({
      error: expect.stringMatching(/full new list of prefixes/),
    });
  });

  it('fails the row, not the file, on an unknown kind or a malformed DS', () => {
    expect(kindOf({ kind: 'circuit' })).toEqual({
      error: 'kind: "circuit" is not one of prefix, routing, rdns, ticket, eduroam-site',
    });
    expect(
      toItem({ kind: 'rdns', institution: 'i', zone: 'z', nameservers: ['a'], ds: ['1 2 3'] }),
    ).toMatchObject({
      error: expect.stringMatching(/keytag algorithm digest-type digest/),
    });
  });

  it('builds ticket actions and eduroam sites from CSV cells, keyed by content', () => {
    const rows = parseRows(
      [
        'kind,ticket,action,body,visible,institution,name,street,city,lon,lat,accessPoints,encryption',
        'ticket,t1,Comment,hello,yes,,,,,,,,',
        'ticket,t2,frobnicate,,,,,,,,,,',
        'eduroam-site,,,,,i,Campus,1 rue A,Lyon,4.8,45.7,3,WPA2/AES;WPA3_AES',
        'eduroam-site,,,,,i,Campus,1 rue A,Lyon,east,45.7,3,',
      ].join('\n'),
      'f.csv',
    );
    const [comment, bad, site, badSite] = rows.map(toItem);
    expect(comment).toMatchObject({
      kind: 'ticket',
      input: { ticketId: 't1', action: 'COMMENT', body: 'hello', visibility: 'INSTITUTION' },
    });
    expect(bad).toEqual({ error: expect.stringMatching(/action: "frobnicate" is not one of take, assign/) });
    expect(site).toMatchObject({
      kind: 'eduroam-site',
      input: {
        institutionId: 'i',
        site: {
          name: [{ lang: 'en', data: 'Campus' }],
          coordinates: { lon: 4.8, lat: 45.7 },
          accessPoints: 3,
          encryption: ['WPA2_AES', 'WPA3_AES'],
        },
      },
    });
    expect(badSite).toEqual({ error: 'lon: "east" is not a number' });
    // The same row keys the same way; another action on the same ticket is another key.
    expect((toItem(rows[0]!) as { idempotencyKey: string }).idempotencyKey).toBe(
      (comment as { idempotencyKey: string }).idempotencyKey,
    );
    expect((toItem({ ...rows[0]!, body: 'other' }) as { idempotencyKey: string }).idempotencyKey).not.toBe(
      (comment as { idempotencyKey: string }).idempotencyKey,
    );
  });
});
