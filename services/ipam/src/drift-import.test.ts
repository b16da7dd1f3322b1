import { ForbiddenError, newRequestContext, ValidationError } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase, type RipeStandin, startRipeStandin } from '@guichet/testkit';
import type { Env } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastDriftReport, ripeDriftReport, storeDriftReport } from './drift.js';
import { importRpsl } from './import.js';
import { registerAssignment } from './register.js';
import { assignments } from './tables.js';
import { institution, ipamEnv, noc, pool, staff } from './test/fixtures.js';

const KEY = { keyId: 'ABCDEFGHIJKLMNOPQRSTUVWX', secret: 'ripe-secret-2' };

const TEXT = `
inetnum:        192.0.2.0 - 192.0.2.63
netname:        UNIV-A-NET
descr:          Université A
country:        FR
admin-c:        NOC1-RIPE
tech-c:         NOC1-RIPE
status:         ASSIGNED PA
mnt-by:         EXAMPLE-MNT
source:         RIPE

inet6num:       2001:db8:b00::/48
netname:        UNIV-A-V6
country:        FR
admin-c:        NOC1-RIPE
tech-c:         NOC1-RIPE
status:         ASSIGNED
mnt-by:         EXAMPLE-MNT
source:         RIPE

inetnum:        192.0.2.64 - 192.0.2.191
netname:        ODD-RANGE
country:        FR
admin-c:        NOC1-RIPE
tech-c:         NOC1-RIPE
status:         ASSIGNED PA
mnt-by:         EXAMPLE-MNT
source:         RIPE
`;

describe(`RIPE drift report and RPSL import on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let ripe: RipeStandin;
  let env: Env;
  let inst: { id: string; siteId: string };
  let v4: string;
  let v6: string;

  beforeAll(async () => {
    ripe = await startRipeStandin({ source: 'TEST', apiKeys: [KEY] });
    database = await freshDatabase();
    env = ipamEnv(database, {
      RIPE_API_URL: ripe.url,
      RIPE_API_KEY: `${KEY.keyId}:${KEY.secret}`,
      RIPE_SOURCE: 'TEST',
    });
    inst = await institution(database.db);
    v4 = (await pool(database.db, '192.0.2.0/24')).id;
    v6 = (await pool(database.db, '2001:db8:b00::/40')).id;
  });
  afterAll(async () => {
    await database?.close();
    await ripe?.stop();
  });

  it('imports once (conflicts reported, not written), then finds everything unchanged; staff only', async () => {
    const contact = newRequestContext({ actor: staff(['desk']) });
    await expect(
      importRpsl(database, contact, { poolId: v4, text: TEXT, institutionId: inst.id }),
    ).rejects.toThrow(ForbiddenError);
    await expect(importRpsl(database, noc(), { poolId: 'nope', text: TEXT })).rejects.toThrow(
      ValidationError,
    );
    const first = await importRpsl(database, noc(), { poolId: v4, text: TEXT, institutionId: inst.id });
    expect(first.created).toBe(1);
    expect(first.conflicts.map((c) => c.key)).toEqual(['192.0.2.64 - 192.0.2.191', '2001:db8:b00::/48']);
    expect(first.conflicts[1]!.reason).toMatch(/inside-pool|not inside/);
    const again = await importRpsl(database, noc(), { poolId: v4, text: TEXT, institutionId: inst.id });
    expect(again).toMatchObject({ created: 0, unchanged: 1 });

    const six = await importRpsl(database, noc(), { poolId: v6, text: TEXT });
    expect(six.created).toBe(0);
    expect(six.conflicts.find((c) => c.key === '2001:db8:b00::/48')!.reason).toMatch(/no institution/);
    expect(
      (await importRpsl(database, noc(), { poolId: v6, text: TEXT, institutionId: inst.id })).created,
    ).toBe(1);

    const rows = await database.db.select().from(assignments).where(eq(assignments.institutionId, inst.id));
    expect(rows.map((r) => [r.prefix, r.netname, r.lifecycle, r.status]).sort()).toEqual([
      ['192.0.2.0/26', 'UNIV-A-NET', 'active', 'ASSIGNED PA'],
      ['2001:db8:b00::/48', 'UNIV-A-V6', 'active', 'ASSIGNED'],
    ]);
    expect(rows.every((r) => r.ripeRegisteredAt instanceof Date)).toBe(true);
  });

  it('drift report: missing remotely, then in sync, then a changed attribute; stored as the last one', async () => {
    const client = env.line('ipam').ripe!;
    const missing = await ripeDriftReport(database, client, env.line('ipam').ripeSettings);
    expect(missing).toMatchObject({ held: 2, inSync: false });
    expect(missing.missingRemotely).toHaveLength(2);

    const rows = await database.db.select().from(assignments).where(eq(assignments.institutionId, inst.id));
    for (const r of rows)
      await registerAssignment(database.db, noc(), r.id, client, env.line('ipam').ripeSettings);
    const synced = await ripeDriftReport(database, client, env.line('ipam').ripeSettings, { poolId: v4 });
    expect(synced).toMatchObject({ scope: v4, held: 1, inSync: true });

    const obj = ripe.objects().find((o) => o.type === 'inetnum')!;
    ripe.seed({
      type: obj.type,
      attributes: obj.attributes.map((a) => (a.name === 'netname' ? { ...a, value: 'RENAMED' } : a)),
    });
    const drift = await ripeDriftReport(database, client, env.line('ipam').ripeSettings);
    expect(drift.differing).toEqual([
      { key: '192.0.2.0 - 192.0.2.63', attribute: 'netname', held: ['UNIV-A-NET'], remote: ['RENAMED'] },
    ]);
    await storeDriftReport(database, drift);
    await storeDriftReport(database, drift);
    expect(await lastDriftReport(database)).toMatchObject({ scope: 'all', inSync: false, held: 2 });
  });
});
