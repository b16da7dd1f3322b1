import { auditChanges } from '@guichet/audit';
import { PolicyRefusalError } from '@guichet/core';
import { type Database, eq, sql } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { resources } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeBlocks, pools } from '../tables.js';
import { institution, noc, pool, refusal } from '../test/fixtures.js';
import { allocatePrefix } from './allocate.js';
import { allocateNext } from './allocate-next.js';
import { poolFreeBlocks } from './freelist.js';
import { updatePool } from './pools.js';

/*
 * The common allocation runs as one server-side function (ipam_allocate_next); growth
 * envelopes take the general TypeScript path. Both must leave the same traces: the change log
 * row a user reads in the history, the resource, the counters, the free list.
 */
describe(`one-statement allocation on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let inst: { id: string; siteId: string };
  beforeAll(async () => {
    database = await freshDatabase();
    inst = await institution(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const logged = async (id: string) => {
    const rows = await database.db.select().from(auditChanges).where(eq(auditChanges.objectId, id));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  it('logs the same change, resource and counters as the general path', async () => {
    const plain = await pool(database.db, '2001:db8:100::/40');
    const grown = await pool(database.db, '2001:db8:200::/40', { growthLength: 44 });
    const ctx = noc();
    const input = {
      length: 48,
      institutionId: inst.id,
      siteId: inst.siteId,
      purpose: 'campus',
      descr: 'Lyon',
    };
    const fast = await allocatePrefix(database.db, ctx, { ...input, poolId: plain.id });
    const general = await allocatePrefix(database.db, ctx, { ...input, poolId: grown.id });

    expect(fast).toMatchObject({
      prefix: '2001:db8:100::/48',
      lifecycle: 'active',
      status: 'ASSIGNED',
      netname: 'NET-2001-db8-100-48',
      adminC: ['NOC1-RIPE'],
      siteId: inst.siteId,
    });
    expect(Object.keys(fast).sort()).toEqual(Object.keys(general).sort());
    expect(fast.createdAt).toBeInstanceOf(Date);
    expect(fast.activatedAt?.getTime()).toBe(fast.createdAt.getTime());
    for (const [row, poolId] of [
      [fast, plain.id],
      [general, grown.id],
    ] as const) {
      const change = await logged(row.id);
      expect(change).toMatchObject({
        action: 'ipam.allocate',
        objectType: 'Assignment',
        requestId: ctx.requestId,
      });
      expect(change.actor).toBe('staff:noc');
      // What recordChange stores: the returned row through JSON.
      expect(change.after).toEqual(JSON.parse(JSON.stringify(row)));
      const [res] = await database.db.select().from(resources).where(eq(resources.objectId, row.id));
      expect(res).toMatchObject({ line: 'ipam', type: 'Assignment', name: row.prefix, state: 'active' });
      const [p] = await database.db.select().from(pools).where(eq(pools.id, poolId));
      expect([p!.usedUnits, p!.assignmentCount]).toEqual([65536, 1]);
    }
    // The rest of the /40 stays free as buddy blocks: a /48, a /47, … a /41 (8 blocks).
    const free = await poolFreeBlocks(database.db, plain.id);
    expect(free.map((f) => f.len).sort()).toEqual([41, 42, 43, 44, 45, 46, 47, 48]);
    // Kept as one tail row (sparse): the carve wrote one row, not eight.
    expect(await database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, plain.id))).toHaveLength(
      1,
    );
  });

  it('reserved lifecycle, last-fit placement and an RPSL override go through the function', async () => {
    const p = await pool(database.db, '10.40.0.0/22', { strategy: 'last_fit' });
    const a = await allocatePrefix(
      database.db,
      noc(),
      {
        poolId: p.id,
        length: 24,
        institutionId: inst.id,
        purpose: 'lab',
        justification: 'lab LAN',
        mntBy: ['LAB-MNT'],
        country: 'de',
      },
      'reserved',
    );
    expect(a).toMatchObject({
      prefix: '10.40.3.0/24',
      lifecycle: 'reserved',
      mntBy: ['LAB-MNT'],
      country: 'DE',
    });
    expect(a.activatedAt).toBeNull();
    const [res] = await database.db.select().from(resources).where(eq(resources.objectId, a.id));
    expect(res!.state).toBe('provisioning');
  });

  it('a rule refusal writes nothing', async () => {
    const p = await pool(database.db, '10.41.0.0/22');
    // IPv4 needs a usage description (rules.ts).
    const before = await database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, p.id));
    const e = await refusal(
      allocatePrefix(database.db, noc(), { poolId: p.id, length: 23, institutionId: inst.id, purpose: 'x' }),
    );
    expect(e).toBeInstanceOf(PolicyRefusalError);
    const after = await database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, p.id));
    expect(after).toEqual(before);
    const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
    expect([row!.usedUnits, row!.assignmentCount]).toEqual([0, 0]);
  });

  it('declines, writing nothing, when the pool changed since the rules read it', async () => {
    const p = await pool(database.db, '10.42.0.0/22');
    const v = { poolId: p.id, length: 24, institutionId: inst.id, purpose: 'x', justification: 'LAN' };
    const stale = { ...p, status: 'SUB-ALLOCATED PA' };
    const r = await allocateNext(database.db, noc(), v, 'active', 'ipam.allocate', stale);
    expect(r.outcome).toBe('declined');
    const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
    expect(row!.assignmentCount).toBe(0);
    // The current row: allocated.
    expect((await allocateNext(database.db, noc(), v, 'active', 'ipam.allocate', p)).outcome).toBe('done');
  });
  it('the next allocation in a pool takes what the pool says now, not what the last one saw', async () => {
    const p = await pool(database.db, '2001:db8:300::/40');
    const v = { poolId: p.id, length: 48, institutionId: inst.id, purpose: 'campus' };
    expect((await allocatePrefix(database.db, noc(), v)).mntBy).toEqual(['EXAMPLE-MNT']);
    // New RPSL defaults: the next assignment inherits them.
    await updatePool(database.db, noc(), { id: p.id, mntBy: ['NEW-MNT'], netname: 'LYON-NET' });
    expect(await allocatePrefix(database.db, noc(), v)).toMatchObject({
      mntBy: ['NEW-MNT'],
      netname: 'LYON-NET',
    });
    // Retired meanwhile (by another process, say; written here directly): refused, nothing
    // written, although the last allocation saw the pool live.
    await database.db.execute(
      sql`UPDATE ipam_pools SET retired_at = now(), retired_reason = 'renumbered' WHERE id = ${p.id}`,
    );
    const e = await refusal(allocatePrefix(database.db, noc(), v));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect((e as PolicyRefusalError).rule).toBe('pool-retired');
    const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
    expect(row!.assignmentCount).toBe(2);
  });
});
