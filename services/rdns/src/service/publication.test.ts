import { join } from 'node:path';
import { publishToKnot } from '@guichet/dns';
import { type Knot, kdig, startKnot } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivableZones, renderParentZone } from '../model.js';
import { validateDelegation } from '../rules.js';

const PARENT = '48.193.in-addr.arpa';
const head = (serial: number) => ({
  zone: PARENT,
  serial,
  mname: 'ns.nren.example',
  rname: 'hostmaster.nren.example',
  nameservers: ['ns.nren.example', 'ns2.nren.example'],
});
const zones = derivableZones(
  [{ id: 'a26', institutionId: 'i', prefix: '193.48.7.64/26', lifecycle: 'active' }],
  'i',
);

describe('publishToKnot (peers: knotd on loopback)', () => {
  let knot: Knot;
  beforeAll(async () => {
    knot = await startKnot({ zones: [{ name: PARENT, text: renderParentZone(head(1), []) }] });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  it('the parent server answers with the /26’s NS referral and CNAMEs after publication', async () => {
    expect(await kdig(knot, '64.7.48.193.in-addr.arpa', 'PTR')).not.toContain('CNAME');
    const v = validateDelegation(
      {
        zone: '64-127.7.48.193.in-addr.arpa',
        nameservers: [{ name: 'ns1.univ.fr' }, { name: 'ns2.univ.fr' }],
      },
      zones,
    );
    const text = renderParentZone(head(2), [{ ...v.zone, nameservers: v.nameservers, ds: v.ds }]);
    await publishToKnot(
      { zoneFile: join(knot.dir, 'zones', `${PARENT}.zone`), conf: knot.conf },
      PARENT,
      text,
    );
    const ns = await kdig(knot, '64-127.7.48.193.in-addr.arpa', 'NS');
    expect(ns).toMatch(/64-127\.7\.48\.193\.in-addr\.arpa\.\s+\d+\s+IN\s+NS\s+ns1\.univ\.fr\./);
    const cname = await kdig(knot, '100.7.48.193.in-addr.arpa', 'PTR');
    expect(cname).toMatch(
      /100\.7\.48\.193\.in-addr\.arpa\.\s+\d+\s+IN\s+CNAME\s+100\.64-127\.7\.48\.193\.in-addr\.arpa\./,
    );
    expect(await kdig(knot, PARENT, 'SOA')).toMatch(/ 2 3600 900/);
  });
});
