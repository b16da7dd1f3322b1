import { describe, expect, it } from 'vitest';
import { inet6numFor, inetnumFor } from './builders.js';
import { driftReport, isInSync } from './drift.js';
import { parseRpsl, type RpslObject } from './model.js';

const input = {
  netname: 'EX-NET',
  country: 'FR',
  adminC: ['AA1-TEST'],
  techC: ['TT1-TEST'],
  mntBy: ['EX-MNT', 'EX2-MNT'],
  status: 'ASSIGNED PA',
  source: 'TEST',
  descr: ['Example University', 'Main campus'],
};
const held = [
  inetnumFor({ ...input, prefix: '192.0.2.0/24' }),
  inet6numFor({ ...input, prefix: '2001:db8:1::/48', status: 'ASSIGNED' }),
];

describe('driftReport', () => {
  it('sees no drift in what the database adds or reorders', () => {
    const remote = parseRpsl(`inetnum: 192.0.2.0-192.0.2.255
netname: ex-net
descr: Example University
descr: Main   campus
country: fr
admin-c: AA1-TEST
tech-c: TT1-TEST
status: ASSIGNED PA
mnt-by: EX2-MNT
mnt-by: EX-MNT
created: 2026-01-01T00:00:00Z
last-modified: 2026-02-01T00:00:00Z
source: test

inet6num: 2001:DB8:1:0::/48
netname: EX-NET
descr: Example University
descr: Main campus
country: FR
admin-c: AA1-TEST
tech-c: TT1-TEST
status: ASSIGNED
mnt-by: EX-MNT
mnt-by: EX2-MNT
source: TEST
`);
    const report = driftReport(held, remote);
    expect(report).toEqual({ missingRemotely: [], extraRemotely: [], differing: [] });
    expect(isInSync(report)).toBe(true);
  });

  it('reports changed, added and removed attributes, and descr order', () => {
    const remote: RpslObject = structuredClone(held[0]!);
    const attrs = remote.attributes;
    attrs.find((a) => a.name === 'tech-c')!.value = 'XX9-TEST';
    attrs.push({ name: 'remarks', value: 'added in the RIPE web updates' });
    remote.attributes = attrs.filter((a) => a.value !== 'EX2-MNT');
    const d = remote.attributes.filter((a) => a.name === 'descr');
    [d[0]!.value, d[1]!.value] = [d[1]!.value, d[0]!.value];
    const report = driftReport([held[0]!], [remote]);
    expect(report.differing).toEqual([
      {
        key: '192.0.2.0 - 192.0.2.255',
        attribute: 'descr',
        held: ['Example University', 'Main campus'],
        remote: ['Main campus', 'Example University'],
      },
      { key: '192.0.2.0 - 192.0.2.255', attribute: 'tech-c', held: ['TT1-TEST'], remote: ['XX9-TEST'] },
      {
        key: '192.0.2.0 - 192.0.2.255',
        attribute: 'mnt-by',
        held: ['EX-MNT', 'EX2-MNT'],
        remote: ['EX-MNT'],
      },
      {
        key: '192.0.2.0 - 192.0.2.255',
        attribute: 'remarks',
        held: [],
        remote: ['added in the RIPE web updates'],
      },
    ]);
  });

  it('lists objects missing on either side', () => {
    const stray = inetnumFor({ ...input, prefix: '198.51.100.0/24' });
    const report = driftReport(held, [held[1]!, stray]);
    expect(report.missingRemotely).toEqual([held[0]]);
    expect(report.extraRemotely).toEqual([stray]);
    expect(report.differing).toEqual([]);
  });
});
