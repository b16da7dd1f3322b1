import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBlock, subtract, toBlock } from '../model.js';
import { freeBlocks } from '../tables.js';
import { institution, ipamEnv, noc, pool } from '../test/fixtures.js';
import { allocatePrefix, assignPrefix } from './allocate.js';
import { poolFreeBlocks } from './freelist.js';
import { freeAssignment, quarantineAssignment, returnAssignment } from './lifecycle.js';
import { updatePool } from './pools.js';

/*
 * Sparse pools keep a carve's remainder as one tail row. Whatever the rows, the blocks they
 * stand for must be exactly the pool minus what is held, as maximal aligned blocks (model.ts
 * subtract): the same free list the one-row-per-block form had.
 */
describe(`free-list tails on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let inst: { id: string; siteId: string };
  beforeAll(async () => {
    database = await freshDatabase();
    inst = await institution(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const sorted = (xs: string[]) => [...xs].sort();
  const expectExact = async (poolPrefix: string, poolId: string, held: string[]) => {
    const want = subtract(
      toBlock(poolPrefix),
      held.map((p) => toBlock(p)),
    ).map(fromBlock);
    expect(sorted((await poolFreeBlocks(database.db, poolId)).map(fromBlock))).toEqual(sorted(want));
  };
  const rows = (poolId: string) => database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, poolId));

  it('sparse allocations write one row each; hand-picked blocks, strategy change and frees stay exact', async () => {
    const prefix = '2001:db8:300::/40';
    const p = await pool(database.db, prefix);
    const alloc = (length: number) =>
      allocatePrefix(database.db, noc(), { poolId: p.id, length, institutionId: inst.id, purpose: 'x' });
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await alloc(48));
    // RFC 3531 bisection order, as before.
    expect(held.map((a) => a.prefix)).toEqual([
      '2001:db8:300::/48',
      '2001:db8:380::/48',
      '2001:db8:340::/48',
      '2001:db8:3c0::/48',
      '2001:db8:320::/48',
    ]);
    await expectExact(
      prefix,
      p.id,
      held.map((a) => a.prefix),
    );
    // Five allocations, five rows (one tail each), where whole blocks would be 5 × ~7 rows.
    expect((await rows(p.id)).length).toBeLessThanOrEqual(5);

    // A /48 picked by hand inside a tail's smaller block, then a /56 next to an allocation.
    held.push(
      await assignPrefix(database.db, noc(), {
        poolId: p.id,
        prefix: '2001:db8:303::/48',
        institutionId: inst.id,
        purpose: 'x',
      }),
    );
    held.push(await alloc(56));
    await expectExact(
      prefix,
      p.id,
      held.map((a) => a.prefix),
    );

    // Leaving sparse: the other orders read whole blocks only.
    await updatePool(database.db, noc(), { id: p.id, strategy: 'first_fit' });
    expect((await rows(p.id)).every((r) => r.cut === null)).toBe(true);
    held.push(await alloc(48));
    expect(held.at(-1)!.prefix).toBe('2001:db8:301::/48');
    await expectExact(
      prefix,
      p.id,
      held.map((a) => a.prefix),
    );
    await updatePool(database.db, noc(), { id: p.id, strategy: 'sparse' });
    held.push(await alloc(48));
    await expectExact(
      prefix,
      p.id,
      held.map((a) => a.prefix),
    );

    // Every block given back: the pool is one free block again.
    const later = { ...noc(), clock: { now: () => new Date(Date.now() + 365 * 86_400_000) } };
    for (const a of held) {
      await returnAssignment(database.db, noc(), ipamEnv(database), a.id);
      await quarantineAssignment(database.db, noc(), a.id);
      await freeAssignment(database.db, later, a.id);
    }
    expect((await rows(p.id)).map((r) => [r.prefix, r.cut])).toEqual([[prefix, null]]);
  });

  it('a non-nibble length goes on its nibble boundary inside a tail', async () => {
    const prefix = '2001:db8:400::/40';
    const p = await pool(database.db, prefix);
    const args = { poolId: p.id, institutionId: inst.id, purpose: 'x', justification: 'lab' };
    const alloc = (length: number) => allocatePrefix(database.db, noc(), { ...args, length });
    // A /47 or a /45 starts on a /44 boundary (reverse delegation): at a tail's top here.
    const held = [await alloc(44), await alloc(47), await alloc(45)];
    expect(held.map((a) => a.prefix)).toEqual([
      '2001:db8:400::/44',
      '2001:db8:480::/47',
      '2001:db8:440::/45',
    ]);
    await expectExact(
      prefix,
      p.id,
      held.map((a) => a.prefix),
    );
  });
});
