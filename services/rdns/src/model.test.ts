import { checkZoneText } from '@guichet/dns';
import { describe, expect, it } from 'vitest';
import { derivableZones, isInDomain, nextSerial, renderParentRecords, renderParentZone } from './model.js';
import { validateDelegation } from './rules.js';

const INST = '00000000-0000-0000-0000-000000000001';
const assignments = [
  { id: 'a48', institutionId: INST, prefix: '2001:660:1234::/48', lifecycle: 'active' },
  { id: 'a26', institutionId: INST, prefix: '193.48.7.64/26', lifecycle: 'active' },
  { id: 'a22', institutionId: INST, prefix: '193.48.8.0/22', lifecycle: 'returned' },
  { id: 'other', institutionId: 'someone-else', prefix: '193.48.9.0/24', lifecycle: 'active' },
];
const NS = [{ name: 'ns1.univ.fr' }, { name: 'ns2.univ.fr' }];
const DS2 = { keyTag: 12345, algorithm: 13, digestType: 2, digest: 'ab'.repeat(32) };

describe('derivableZones', () => {
  it('keeps only the institution’s active assignments, nibble and RFC 2317 zones', () => {
    expect(derivableZones(assignments, INST)).toEqual([
      expect.objectContaining({
        zone: '4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa',
        kind: 'nibble',
        assignmentId: 'a48',
      }),
      expect.objectContaining({
        zone: '64-127.7.48.193.in-addr.arpa',
        kind: 'rfc2317',
        parent: '7.48.193.in-addr.arpa',
        assignmentId: 'a26',
      }),
    ]);
  });
  it('in-domain names', () => {
    expect(isInDomain('ns.4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa.', '4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa')).toBe(true);
    expect(isInDomain('ns1.univ.fr', '7.48.193.in-addr.arpa')).toBe(false);
    expect(isInDomain('x17.48.193.in-addr.arpa', '7.48.193.in-addr.arpa')).toBe(false);
  });
  it('serials grow', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    expect(nextSerial(null, now)).toBe(2026112300);
    expect(nextSerial(2026112300, now)).toBe(2026112301);
    expect(nextSerial(2026112299, now)).toBe(2026112300);
  });
});

describe('renderParentRecords', () => {
  const zones = derivableZones(assignments, INST);

  it('/48: NS and DS at the nibble cut, no glue for out-of-zone names', () => {
    const v = validateDelegation({ zone: zones[0]!.zone, nameservers: NS, ds: [DS2] }, zones);
    expect(renderParentRecords({ ...v.zone, nameservers: v.nameservers, ds: v.ds }, 3600)).toEqual([
      '4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa. 3600 IN NS ns1.univ.fr.',
      '4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa. 3600 IN NS ns2.univ.fr.',
      `4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa. 3600 IN DS 12345 13 2 ${'AB'.repeat(32)}`,
    ]);
  });

  it('/26: NS for the RFC 2317 child and one CNAME per address in the /24', () => {
    const v = validateDelegation({ zone: '64-127.7.48.193.in-addr.arpa.', nameservers: NS }, zones);
    const lines = renderParentRecords({ ...v.zone, nameservers: v.nameservers, ds: v.ds }, 3600);
    expect(lines.slice(0, 2)).toEqual([
      '64-127.7.48.193.in-addr.arpa. 3600 IN NS ns1.univ.fr.',
      '64-127.7.48.193.in-addr.arpa. 3600 IN NS ns2.univ.fr.',
    ]);
    const cnames = lines.filter((l) => l.includes(' CNAME '));
    expect(cnames).toHaveLength(64);
    expect(cnames[0]).toBe('64.7.48.193.in-addr.arpa. 3600 IN CNAME 64.64-127.7.48.193.in-addr.arpa.');
    expect(cnames[63]).toBe('127.7.48.193.in-addr.arpa. 3600 IN CNAME 127.64-127.7.48.193.in-addr.arpa.');
  });

  it('in-domain name servers get glue', () => {
    const zone = zones[0]!.zone;
    const v = validateDelegation(
      {
        zone,
        nameservers: [{ name: `ns.${zone}`, addresses: ['2001:660:1234::53'] }, { name: 'ns2.univ.fr' }],
      },
      zones,
    );
    expect(renderParentRecords({ ...v.zone, nameservers: v.nameservers, ds: v.ds }, 60)).toContain(
      `ns.${zone}. 60 IN AAAA 2001:660:1234::53`,
    );
  });
});

describe('parent zones accepted by named-checkzone', () => {
  const zones = derivableZones(assignments, INST);
  const head = (zone: string) => ({
    zone,
    serial: 2026112301,
    mname: 'ns.renater.example',
    rname: 'hostmaster.renater.example',
    nameservers: ['ns.renater.example', 'ns2.renater.example'],
  });
  const records = (zone: string, extra: object = {}) => {
    const v = validateDelegation({ zone, nameservers: NS, ...extra }, zones);
    return { ...v.zone, nameservers: v.nameservers, ds: v.ds };
  };

  it('the operator’s IPv6 /32 zone with the /48 delegation', async () => {
    const text = renderParentZone(head('0.6.6.0.1.0.0.2.ip6.arpa'), [
      records('4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa', { ds: [DS2] }),
    ]);
    const r = await checkZoneText('0.6.6.0.1.0.0.2.ip6.arpa', text);
    expect(r.output).toContain('loaded serial 2026112301');
    expect(r.ok).toBe(true);
  });

  it('the operator’s /16 zone and a /24 zone with the /26’s CNAMEs and child NS', async () => {
    for (const parent of ['48.193.in-addr.arpa', '7.48.193.in-addr.arpa']) {
      const text = renderParentZone(head(parent), [records('64-127.7.48.193.in-addr.arpa')]);
      const r = await checkZoneText(parent, text);
      expect(r.output).toContain('loaded serial 2026112301');
      expect(r.ok).toBe(true);
    }
  });

  it('named-checkzone rejects a broken zone', async () => {
    const r = await checkZoneText('48.193.in-addr.arpa', '$ORIGIN 48.193.in-addr.arpa.\n@ IN NS\n');
    expect(r.ok).toBe(false);
  });
});
