import { describe, expect, it } from 'vitest';
import { type ExistingRegistration, planImport } from './import.js';
import { parseRpsl } from './model.js';

const OPERATOR_TEXT = `# operator export
inetnum:        192.0.2.0 - 192.0.3.255
netname:        FR-RESEARCH-20000101
country:        FR
admin-c:        NOC1-TEST
tech-c:         NOC1-TEST
status:         ALLOCATED PA
mnt-by:         RIPE-NCC-HM-MNT
mnt-by:         RESEARCH-MNT
source:         TEST

inetnum:        192.0.2.0 - 192.0.2.63
netname:        UNIV-EX-NET
descr:          Example University
country:        FR
admin-c:        UE1-TEST
tech-c:         UE1-TEST
status:         ASSIGNED PA
mnt-by:         RESEARCH-MNT
source:         TEST

inet6num:       2001:db8:4000::/48
netname:        UNIV-EX-V6
country:        FR
admin-c:        UE1-TEST
tech-c:         UE1-TEST
status:         ASSIGNED
mnt-by:         RESEARCH-MNT
source:         TEST

route:          192.0.2.0/23
origin:         AS64500
mnt-by:         RESEARCH-MNT
source:         TEST
`;

describe('planImport', () => {
  it('is idempotent: the second run of the same text creates nothing', () => {
    const parsed = parseRpsl(OPERATOR_TEXT);
    const first = planImport(parsed, []);
    expect(first.toCreate.map((i) => [i.prefix, i.netname, i.status])).toEqual([
      ['192.0.2.0/23', 'FR-RESEARCH-20000101', 'ALLOCATED PA'],
      ['192.0.2.0/26', 'UNIV-EX-NET', 'ASSIGNED PA'],
      ['2001:db8:4000::/48', 'UNIV-EX-V6', 'ASSIGNED'],
    ]);
    expect(first.conflicts).toEqual([]);
    expect(first.skipped).toEqual([
      { key: '192.0.2.0/23AS64500', reason: expect.stringMatching(/routing data/) },
    ]);

    // What the ipam service would hold after writing the first plan.
    const held: ExistingRegistration[] = first.toCreate.map((i) => ({
      prefix: i.prefix,
      netname: i.netname,
      status: i.status,
    }));
    const second = planImport(parseRpsl(OPERATOR_TEXT), held);
    expect(second.toCreate).toEqual([]);
    expect(second.unchanged).toHaveLength(3);
    expect(second.conflicts).toEqual([]);
  });

  it('reports a prefix Guichet holds differently', () => {
    const plan = planImport(parseRpsl(OPERATOR_TEXT), [
      { prefix: '192.0.2.0/26', netname: 'OTHER-NET', status: 'ASSIGNED PA' },
    ]);
    expect(plan.conflicts).toEqual([
      {
        key: '192.0.2.0 - 192.0.2.63',
        reason: 'Guichet holds 192.0.2.0/26 as OTHER-NET ASSIGNED PA; the text says UNIV-EX-NET ASSIGNED PA',
      },
    ]);
    expect(plan.toCreate).toHaveLength(2);
  });

  it('reports (does not convert) a range that is not one CIDR, with its decomposition', () => {
    const text = OPERATOR_TEXT.replace('192.0.2.0 - 192.0.2.63', '192.0.2.0 - 192.0.2.95');
    const plan = planImport(parseRpsl(text), []);
    expect(plan.conflicts).toEqual([
      {
        key: '192.0.2.0 - 192.0.2.95',
        reason: expect.stringContaining(
          'not a single CIDR prefix (it is 2 prefixes: 192.0.2.0/26, 192.0.2.64/27); not converted',
        ),
      },
    ]);
  });

  it('reports objects RIPE would refuse and contradictions inside the text', () => {
    const missing = OPERATOR_TEXT.replace(
      'tech-c:         UE1-TEST\nstatus:         ASSIGNED PA',
      'status:         ASSIGNED PA',
    );
    expect(planImport(parseRpsl(missing), []).conflicts).toEqual([
      { key: '192.0.2.0 - 192.0.2.63', reason: 'inetnum: Mandatory attribute "tech-c" is missing' },
    ]);
    const twice = `${OPERATOR_TEXT}\n${OPERATOR_TEXT.split('\n\n')[2]!.replace('UNIV-EX-V6', 'OTHER-V6')}\n`;
    const plan = planImport(parseRpsl(twice), []);
    expect(plan.conflicts).toEqual([
      {
        key: '2001:db8:4000::/48',
        reason: '2001:db8:4000::/48 appears twice in the text: UNIV-EX-V6 ASSIGNED and OTHER-V6 ASSIGNED',
      },
    ]);
    // An exact duplicate is harmless.
    expect(planImport(parseRpsl(`${OPERATOR_TEXT}\n${OPERATOR_TEXT}`), []).toCreate).toHaveLength(3);
    const bogus = OPERATOR_TEXT.replace('status:         ASSIGNED\n', 'status:         ASSIGNED PA\n');
    expect(planImport(parseRpsl(bogus), []).conflicts[0]!.reason).toBe(
      'unknown inet6num status "ASSIGNED PA"',
    );
  });
});
