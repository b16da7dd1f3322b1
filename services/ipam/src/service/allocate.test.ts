import { auditChanges } from '@guichet/audit';
import { fixedClock, PolicyRefusalError, type RequestContext } from '@guichet/core';
import { count, type Database, eq, pgError } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, freeBlocks, pools } from '../tables.js';
import { institution, ipamEnv, noc, pool, refusal } from '../test/fixtures.js';
import { allocatePrefix, assignPrefix } from './allocate.js';
import {
  quarantineAssignment,
  releaseExpired,
  releaseReservation,
  reservePrefix,
  returnAssignment,
} from './lifecycle.js';
import { createPool } from './pools.js';

describe(`allocation on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let inst: { id: string; siteId: string };
  beforeAll(async () => {
    database = await freshDatabase();
    inst = await institution(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const alloc = (poolId: string, length: number, ctx: RequestContext = noc()) =>
    allocatePrefix(database.db, ctx, {
      poolId,
      length,
      institutionId: inst.id,
      purpose: 'campus',
      justification: 'LAN',
    });
  const seq = async (poolId: string, lengths: number[]) => {
    const out: string[] = [];
    for (const l of lengths) out.push((await alloc(poolId, l)).prefix);
    return out;
  };

  it('first-fit, best-fit and last-fit give the expected IPv4 prefixes', async () => {
    const ff = await pool(database.db, '10.0.0.0/22', { strategy: 'first_fit' });
    expect(await seq(ff.id, [26, 24, 26])).toEqual(['10.0.0.0/26', '10.0.1.0/24', '10.0.0.64/26']);
    const bf = await pool(database.db, '10.1.0.0/22');
    expect(bf.strategy).toBe('best_fit');
    // best-fit keeps the /23 whole: the /24 goes into the /24 left next to the /26.
    expect(await seq(bf.id, [26, 24, 26, 23])).toEqual([
      '10.1.0.0/26',
      '10.1.1.0/24',
      '10.1.0.64/26',
      '10.1.2.0/23',
    ]);
    const lf = await pool(database.db, '10.2.0.0/22', { strategy: 'last_fit' });
    expect(await seq(lf.id, [24, 26])).toEqual(['10.2.3.0/24', '10.2.2.192/26']);
  });

  it('sparse (RFC 3531 leftmost) spreads IPv6 /48s by bisection, nibble-aligned', async () => {
    const sp = await pool(database.db, '2001:db8::/44');
    expect(sp.strategy).toBe('sparse');
    expect(await seq(sp.id, [48, 48, 48, 48, 48])).toEqual([
      '2001:db8::/48',
      '2001:db8:8::/48',
      '2001:db8:4::/48',
      '2001:db8:c::/48',
      '2001:db8:2::/48',
    ]);
    // A /47 starts on a /44 boundary… none is left whole here: no space, though /47s exist.
    const e = await refusal(alloc(sp.id, 47));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect((e as PolicyRefusalError).rule).toBe('no-space');
  });

  it('an exhausted pool refuses with a typed no-space error naming pool and size, and writes nothing', async () => {
    const p = await pool(database.db, '10.3.0.0/24', { name: 'Lyon v4' });
    await seq(p.id, [25, 25]);
    const before = await tally();
    const e = await refusal(alloc(p.id, 28));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect(e).toMatchObject({ rule: 'no-space', message: 'pool Lyon v4 (10.3.0.0/24) has no free /28' });
    expect(await tally()).toEqual(before);
    const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
    expect(row).toMatchObject({ usedUnits: 256, sizeUnits: 256, assignmentCount: 2 });
  });

  it('the exclusion constraint rejects an overlapping insert made behind the service (23P01)', async () => {
    const p = await pool(database.db, '10.4.0.0/24');
    await seq(p.id, [25]);
    const e = await refusal(
      database.db.insert(assignments).values({
        poolId: p.id,
        institutionId: inst.id,
        family: 4,
        prefix: '10.4.0.64/26',
        status: 'ASSIGNED PA',
        lifecycle: 'active',
        purpose: 'x',
        netname: 'X',
        country: 'FR',
        createdBy: 'test',
      }),
    );
    expect(pgError(e)).toMatchObject({ code: '23P01', constraint: 'ipam_assignments_no_overlap' });
    const outside = await refusal(
      database.db.insert(assignments).values({
        poolId: p.id,
        institutionId: inst.id,
        family: 4,
        prefix: '10.99.0.0/26',
        status: 'ASSIGNED PA',
        lifecycle: 'active',
        purpose: 'x',
        netname: 'X',
        country: 'FR',
        createdBy: 'test',
      }),
    );
    expect(pgError(outside)).toMatchObject({ code: '23514' });
  });

  it('a returned prefix is not reused before its quarantine ends, then is', async () => {
    const clock = fixedClock('2026-11-23T10:00:00Z');
    const ctx = { ...noc(), clock };
    const p = await pool(database.db, '10.5.0.0/24');
    const [a] = await Promise.all([alloc(p.id, 24, ctx)]);
    await returnAssignment(database.db, ctx, ipamEnv(database), a!.id);
    await quarantineAssignment(database.db, ctx, a!.id);
    expect((await refusal(alloc(p.id, 26, ctx))) as PolicyRefusalError).toMatchObject({ rule: 'no-space' });
    clock.set('2026-12-20T10:00:00Z');
    expect(await releaseExpired(database.db, ctx)).toEqual({ freed: 0, released: 0 });
    clock.set('2026-12-24T10:00:00Z');
    expect(await releaseExpired(database.db, ctx)).toEqual({ freed: 1, released: 0 });
    expect(await releaseExpired(database.db, ctx)).toEqual({ freed: 0, released: 0 });
    expect((await alloc(p.id, 24, ctx)).prefix).toBe('10.5.0.0/24');
    const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
    expect(row).toMatchObject({ usedUnits: 256, assignmentCount: 1 });
  });

  it('reservations block allocation until released or expired; freed space merges back', async () => {
    const clock = fixedClock('2026-11-23T10:00:00Z');
    const ctx = { ...noc(), clock };
    const p = await pool(database.db, '10.6.0.0/24', { strategy: 'first_fit' });
    const r = await reservePrefix(database.db, ctx, {
      poolId: p.id,
      prefix: '10.6.0.0/25',
      reason: 'growth',
      expiresAt: new Date('2026-11-30T00:00:00Z'),
    });
    const r2 = await reservePrefix(database.db, ctx, { poolId: p.id, length: 26, reason: 'hold' });
    expect(r2.prefix).toBe('10.6.0.128/26');
    expect((await alloc(p.id, 26, ctx)).prefix).toBe('10.6.0.192/26');
    expect((await refusal(alloc(p.id, 26, ctx))) as PolicyRefusalError).toMatchObject({ rule: 'no-space' });
    await releaseReservation(database.db, ctx, r2.id);
    clock.set('2026-12-01T00:00:00Z');
    expect(await releaseExpired(database.db, ctx)).toEqual({ freed: 0, released: 1 });
    const free = await database.db
      .select({ prefix: freeBlocks.prefix })
      .from(freeBlocks)
      .where(eq(freeBlocks.poolId, p.id));
    expect(free.map((f) => f.prefix).sort()).toEqual(['10.6.0.0/25', '10.6.0.128/26']);
    void r;
  });

  it('every rule refusal names its rule', async () => {
    const p4 = await pool(database.db, '10.7.0.0/24');
    const rule = async (p: Promise<unknown>) => ((await refusal(p)) as PolicyRefusalError).rule;
    expect(
      await rule(
        allocatePrefix(database.db, noc(), {
          poolId: p4.id,
          length: 26,
          institutionId: inst.id,
          purpose: 'x',
        }),
      ),
    ).toBe('justification-required');
    expect(await rule(alloc(p4.id, 23))).toBe('larger-than-pool');
    expect(await rule(pool(database.db, '10.8.0.0/24', { status: 'SUB-ALLOCATED PA' }))).toBe(
      'status-parent',
    );
    expect(await rule(pool(database.db, '10.8.0.0/24', { status: 'ALLOCATED-BY-RIR' }))).toBe(
      'status-family',
    );
    const p6 = await pool(database.db, '2001:db8:100::/40');
    expect(
      await rule(
        createPool(database.db, noc(), {
          name: 'agg',
          prefix: '2001:db8:100::/44',
          parentId: p6.id,
          status: 'AGGREGATED-BY-LIR',
          purpose: 'x',
        }),
      ),
    ).toBe('assignment-size-mandatory');
    const agg = await createPool(database.db, noc(), {
      name: 'agg',
      prefix: '2001:db8:100::/44',
      parentId: p6.id,
      status: 'AGGREGATED-BY-LIR',
      assignmentSize: 48,
      purpose: 'x',
    });
    expect(await rule(alloc(agg.id, 56))).toBe('assignment-size-child');
    expect(
      await rule(
        assignPrefix(database.db, noc(), {
          poolId: p6.id,
          prefix: '2001:db8:100::/48',
          institutionId: inst.id,
          purpose: 'x',
        }),
      ),
    ).toBe('not-free');
    expect(
      await rule(
        assignPrefix(database.db, noc(), {
          poolId: p6.id,
          prefix: '2001:db8:182::/47',
          institutionId: inst.id,
          purpose: 'x',
          justification: 'big',
        }),
      ),
    ).toBe('alignment');
    expect(
      await rule(
        assignPrefix(database.db, noc(), {
          poolId: p6.id,
          prefix: '2001:db9::/48',
          institutionId: inst.id,
          purpose: 'x',
        }),
      ),
    ).toBe('inside-pool');
    const bare = await pool(database.db, '10.9.0.0/24', { adminC: [] });
    expect(await rule(alloc(bare.id, 26))).toBe('rpsl-mandatory');
    expect(
      (
        await assignPrefix(database.db, noc(), {
          poolId: p6.id,
          prefix: '2001:db8:180::/48',
          institutionId: inst.id,
          purpose: 'x',
        })
      ).prefix,
    ).toBe('2001:db8:180::/48');
  });

  async function tally() {
    const n = async (t: typeof assignments | typeof auditChanges | typeof freeBlocks) =>
      Number((await database.db.select({ n: count() }).from(t))[0]?.n);
    return { assignments: await n(assignments), changes: await n(auditChanges), free: await n(freeBlocks) };
  }
});
