import { type Database, eq, sql } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBlock, unitsOf } from '../model.js';
import { assignments, freeBlocks, pools, reservations } from '../tables.js';
import { institution, ipamEnv, noc, pool, refusal } from '../test/fixtures.js';
import { allocatePrefix } from './allocate.js';
import { poolFreeBlocks } from './freelist.js';
import {
  quarantineAssignment,
  releaseExpired,
  releaseReservation,
  reservePrefix,
  returnAssignment,
} from './lifecycle.js';

describe(`growth envelopes on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let a: { id: string; siteId: string };
  let b: { id: string; siteId: string };
  beforeAll(async () => {
    database = await freshDatabase();
    a = await institution(database.db);
    b = await institution(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const alloc = (poolId: string, institutionId: string, length: number, growth?: number) =>
    allocatePrefix(database.db, noc(), {
      poolId,
      length,
      institutionId,
      purpose: 'campus',
      justification: 'LAN',
      ...(growth === undefined ? {} : { growth }),
    });
  const live = (poolId: string) =>
    database.db
      .select()
      .from(reservations)
      .where(sql`${reservations.poolId} = ${poolId} AND ${reservations.releasedAt} IS NULL`)
      .orderBy(reservations.prefix);
  const free = async (poolId: string) => (await poolFreeBlocks(database.db, poolId)).map(fromBlock);
  /** Counters equal what the rows say. */
  const countersMatch = async (poolId: string) => {
    const [p] = await database.db.select().from(pools).where(eq(pools.id, poolId));
    const held = await database.db
      .select()
      .from(assignments)
      .where(sql`${assignments.poolId} = ${poolId} AND ${assignments.lifecycle} <> 'free'`);
    const res = await live(poolId);
    const units = (rows: { prefix: string; family: number }[]) =>
      rows.reduce((n, r) => n + unitsOf(r.family as 4 | 6, Number(r.prefix.split('/')[1])), 0);
    expect({ used: p!.usedUnits, reserved: p!.reservedUnits, count: p!.assignmentCount }).toEqual({
      used: units(held),
      reserved: units(res),
      count: held.length,
    });
  };

  it('a /48 gets its /44 envelope; another institution cannot get space in it; the same one grows inside it', async () => {
    const p = await pool(database.db, '2001:db8::/32', { growthLength: 44 });
    expect(p.growthLength).toBe(44);
    const first = await alloc(p.id, a.id, 48);
    expect(first.prefix).toBe('2001:db8::/48');
    const env = await live(p.id);
    // The /44 minus the /48: its buddy blocks, each a growth reservation of the institution.
    expect(env.map((r) => r.prefix).sort()).toEqual(
      ['2001:db8:1::/48', '2001:db8:2::/47', '2001:db8:4::/46', '2001:db8:8::/45'].sort(),
    );
    for (const r of env) {
      expect(r).toMatchObject({
        kind: 'growth',
        institutionId: a.id,
        assignmentId: first.id,
        envelope: '2001:db8::/44',
        releasedAt: null,
      });
    }
    // None of the envelope is in the free list.
    const [inside] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(freeBlocks)
      .where(
        sql`EXISTS (SELECT 1 FROM ipam_free_expand(${freeBlocks.prefix}, ${freeBlocks.cut}) b WHERE b && '2001:db8::/44'::cidr)`,
      );
    expect(Number(inside!.n)).toBe(0);
    await countersMatch(p.id);

    // Another institution: somewhere else (sparse: the other half), with its own envelope.
    const other = await alloc(p.id, b.id, 48);
    expect(other.prefix).toBe('2001:db8:8000::/48');
    // Its next /48s never land in A's envelope, even with envelopes off.
    for (let i = 0; i < 20; i++) await alloc(p.id, b.id, 48, 0);
    const [inA] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(assignments)
      .where(sql`${assignments.institutionId} = ${b.id} AND ${assignments.prefix} && '2001:db8::/44'::cidr`);
    expect(Number(inA!.n)).toBe(0);
    await countersMatch(p.id);

    // A's second /48: inside its envelope, next to the first (best-fit), the envelope shrinks.
    const second = await alloc(p.id, a.id, 48);
    expect(second.prefix).toBe('2001:db8:1::/48');
    expect(
      (await live(p.id))
        .filter((r) => r.institutionId === a.id)
        .map((r) => r.prefix)
        .sort(),
    ).toEqual(['2001:db8:2::/47', '2001:db8:4::/46', '2001:db8:8::/45'].sort());
    // A third: still inside (a /46 or /47 would need a /44 boundary: outside, own envelope).
    const third = await alloc(p.id, a.id, 48);
    expect(third.prefix).toBe('2001:db8:2::/48');
    await countersMatch(p.id);
  });

  it('returning the prefixes and then the envelope frees the whole space: the free list merges back', async () => {
    const p = await pool(database.db, '2001:db9:100::/40', { growthLength: 44 });
    const x = await alloc(p.id, a.id, 48);
    const y = await alloc(p.id, a.id, 48);
    expect([x.prefix, y.prefix]).toEqual(['2001:db9:100::/48', '2001:db9:101::/48']);
    const ctx = noc();
    for (const id of [x.id, y.id]) {
      await returnAssignment(database.db, ctx, ipamEnv(database), id);
      await quarantineAssignment(database.db, ctx, id, 0);
    }
    await releaseExpired(database.db, ctx);
    // The freed /48s went back to the envelope (not to the free list): it is whole again.
    expect((await live(p.id)).map((r) => r.prefix)).toEqual(['2001:db9:100::/44']);
    expect(await free(p.id)).not.toContain('2001:db9:100::/44');
    await countersMatch(p.id);
    // Releasing one block releases the whole envelope; the free list is the pool again.
    const [one] = await live(p.id);
    const released = await releaseReservation(database.db, noc(), one!.id);
    expect(released.releasedAt).not.toBeNull();
    expect(await live(p.id)).toEqual([]);
    expect(await free(p.id)).toEqual(['2001:db9:100::/40']);
    await countersMatch(p.id);
    // Idempotent.
    await releaseReservation(database.db, noc(), one!.id);
    await countersMatch(p.id);
  });

  it('an envelope is the largest aligned free block around the prefix when the full one is not free, or none', async () => {
    // No /36 free (a hold on the first /37): the /48 goes into the free /37 and its envelope is
    // the largest nibble-aligned block there, a /40.
    const p = await pool(database.db, '2001:dbb::/36', { growthLength: 36 });
    await reservePrefix(database.db, noc(), { poolId: p.id, prefix: '2001:dbb::/37', reason: 'held' });
    const x = await alloc(p.id, a.id, 48);
    expect(x.prefix).toBe('2001:dbb:800::/48');
    const env = await live(p.id);
    expect(env.filter((r) => r.kind === 'growth').map((r) => r.envelope)).toEqual(
      Array(8).fill('2001:dbb:800::/40'),
    );
    // B gets space outside it.
    const y = await alloc(p.id, b.id, 48);
    expect(y.prefix).toBe('2001:dbb:c00::/48');
    await countersMatch(p.id);
    // Only a /45 free: a nibble-aligned envelope would be the /48 itself: none.
    const small = await pool(database.db, '2001:dbc::/44', { growthLength: 44 });
    await reservePrefix(database.db, noc(), { poolId: small.id, prefix: '2001:dbc::/45', reason: 'held' });
    await alloc(small.id, a.id, 48);
    expect((await live(small.id)).map((r) => r.kind)).toEqual(['hold']);
    await countersMatch(small.id);
    // IPv4: a /26 with a /24 envelope.
    const v4 = await pool(database.db, '10.9.0.0/22', { growthLength: 24 });
    const n1 = await alloc(v4.id, a.id, 26);
    expect(n1.prefix).toBe('10.9.0.0/26');
    expect((await live(v4.id)).map((r) => r.prefix)).toEqual(['10.9.0.64/26', '10.9.0.128/25']);
    expect((await alloc(v4.id, b.id, 26)).prefix).toBe('10.9.1.0/26');
    expect((await alloc(v4.id, a.id, 26)).prefix).toBe('10.9.0.64/26');
    await countersMatch(v4.id);
    // No envelope: growth 0, or a pool without growth_length.
    const none = await pool(database.db, '2001:dbd::/40');
    await alloc(none.id, a.id, 48);
    expect(await live(none.id)).toEqual([]);
    const off = await pool(database.db, '2001:dbe::/40', { growthLength: 44 });
    await alloc(off.id, a.id, 48, 0);
    expect(await live(off.id)).toEqual([]);
  });

  it('a growth length outside the pool is refused at creation', async () => {
    expect(await refusal(pool(database.db, '2001:dbf::/40', { growthLength: 32 }))).toMatchObject({
      name: 'ValidationError',
    });
  });
});
