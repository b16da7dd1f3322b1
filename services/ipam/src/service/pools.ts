import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext, ValidationError } from '@guichet/core';
import { and, type DbOrTx, eq, inArray, isNull, sql } from '@guichet/db';
import { z } from 'zod';
import { fromBlock, HOLDING, maxBits, STRATEGIES, toBlock, unitLength, unitsOf } from '../model.js';
import {
  ALL_POOL_STATUSES,
  checkAssignmentSize,
  checkPoolRpsl,
  checkPoolSpace,
  checkStatusUnder,
} from '../rules.js';
import { assignments, freeBlocks, pools, reservations } from '../tables.js';
import { carve, expandTails, freeBlockAround, giveBack } from './freelist.js';
import {
  inTransaction,
  lockPool,
  mustBeLive,
  mustOperate,
  one,
  type PoolRow,
  parentInfo,
  parseInput,
} from './internal.js';

const rpslList = z.array(z.string().trim().min(1).max(80)).max(10);

export const createPoolSchema = z.object({
  name: z.string().trim().min(1).max(200),
  prefix: z.string().trim().min(3).max(60),
  parentId: z.uuid().optional(),
  status: z.enum(ALL_POOL_STATUSES as [string, ...string[]]),
  assignmentSize: z.number().int().min(1).max(128).optional(),
  purpose: z.string().trim().min(1).max(500),
  strategy: z.enum(STRATEGIES).optional(),
  /** Growth envelope length reserved around each allocation (e.g. 44 around a /48); none by default. */
  growthLength: z.number().int().min(0).max(128).optional(),
  netname: z.string().trim().max(80).optional(),
  country: z.string().trim().length(2).optional(),
  adminC: rpslList.optional(),
  techC: rpslList.optional(),
  mntBy: rpslList.optional(),
  /** Accept bogon space (documentation, private…) for a lab or test pool; refused otherwise. */
  acceptBogon: z.boolean().optional(),
});
export type CreatePoolInput = z.input<typeof createPoolSchema>;

// No RIR holds more than a /8 of IPv4 or a /12 of IPv6 from IANA, so no pool is larger; and the
// counters (units: addresses, or /64s) must stay exact integers — a ::/0 is 2^64 /64s.
const SHORTEST_POOL = { 4: 8, 6: 12 } as const;

/**
 * A pool: space from the RIR (no parent) or a subdivision carved out of its parent's free
 * space. Checked first: no bogon space (unless `acceptBogon`), RIPE status/parent and
 * AGGREGATED-BY-LIR rules, and mnt-by/admin-c/tech-c present (given, else the parent's) — a
 * pool without them could serve no request. NOC only. Default strategy: best-fit for IPv4
 * (scarce), sparse for IPv6 (room to grow).
 */
export async function createPool(db: DbOrTx, ctx: RequestContext, input: CreatePoolInput): Promise<PoolRow> {
  mustOperate(ctx, 'creates pools');
  const v = parseInput(createPoolSchema, input);
  const block = toBlock(v.prefix, ['input', 'prefix']);
  // Size before policy: a ::/0 is not a pool anyone can mean, bogon or not.
  if (block.len < SHORTEST_POOL[block.family]) {
    throw ValidationError.field(
      ['input', 'prefix'],
      `an IPv${block.family} pool is at most a /${SHORTEST_POOL[block.family]} (the largest block an RIR holds)`,
    );
  }
  checkPoolSpace(fromBlock(block), v.acceptBogon);
  if (
    v.growthLength !== undefined &&
    (v.growthLength < block.len || v.growthLength > maxBits(block.family))
  ) {
    throw ValidationError.field(
      ['input', 'growthLength'],
      `an envelope lies inside the pool: between ${block.len} and ${maxBits(block.family)}`,
    );
  }
  return inTransaction(db, async (tx) => {
    const parent = v.parentId ? await lockPool(tx, v.parentId) : null;
    if (parent) mustBeLive(parent);
    const info = parent ? await parentInfo(tx, parent) : null;
    checkStatusUnder(block.family, v.status, info);
    checkAssignmentSize(block.family, v.status, block, v.assignmentSize, info);
    const inherit = (own: string[] | undefined, from: string[] | undefined) =>
      own?.length ? own : (from ?? []);
    const rpsl = {
      adminC: inherit(v.adminC, parent?.adminC),
      techC: inherit(v.techC, parent?.techC),
      mntBy: inherit(v.mntBy, parent?.mntBy),
    };
    checkPoolRpsl(v.name, rpsl, Boolean(parent));
    if (parent) {
      if (parent.family !== block.family || block.len <= info!.prefix.len) {
        throw new PolicyRefusalError(
          'inside-parent',
          `${v.prefix} is not inside pool ${parent.name} (${parent.prefix})`,
        );
      }
      const free = await freeBlockAround(tx, parent.id, block);
      if (!free) {
        throw new PolicyRefusalError(
          'not-free',
          `${v.prefix} is not free in pool ${parent.name} (${parent.prefix})`,
        );
      }
      await carve(tx, parent, free, block, false);
      await tx
        .update(pools)
        .set({ usedUnits: sql`${pools.usedUnits} + ${unitsOf(block.family, block.len)}` })
        .where(eq(pools.id, parent.id));
    }
    const row = one(
      await tx
        .insert(pools)
        .values({
          name: v.name,
          family: block.family,
          prefix: fromBlock(block),
          parentId: parent?.id ?? null,
          depth: parent ? parent.depth + 1 : 0,
          status: v.status,
          assignmentSize: v.assignmentSize ?? null,
          purpose: v.purpose,
          strategy: v.strategy ?? (block.family === 4 ? 'best_fit' : 'sparse'),
          growthLength: v.growthLength ?? null,
          unitLength: unitLength(block.family),
          sizeUnits: unitsOf(block.family, block.len),
          netname: v.netname ?? null,
          country: v.country?.toUpperCase() ?? parent?.country ?? null,
          ...rpsl,
          createdAt: ctx.clock.now(),
        })
        .returning(),
    );
    await tx.execute(
      sql`INSERT INTO ipam_free_blocks (pool_id, prefix, masklen) VALUES (${row.id}, ${row.prefix}::cidr, ${block.len})`,
    );
    await recordChange(tx, ctx, {
      action: 'ipam.createPool',
      objectType: 'Pool',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

const nonEmptyRpsl = rpslList.min(1, 'RIPE requires at least one');

export const updatePoolSchema = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(200).optional(),
  purpose: z.string().trim().min(1).max(500).optional(),
  strategy: z.enum(STRATEGIES).optional(),
  netname: z.string().trim().max(80).optional(),
  country: z.string().trim().length(2).optional(),
  adminC: nonEmptyRpsl.optional(),
  techC: nonEmptyRpsl.optional(),
  mntBy: nonEmptyRpsl.optional(),
});
export type UpdatePoolInput = z.input<typeof updatePoolSchema>;

/**
 * Mends what a pool says about itself — name, purpose, strategy, RPSL defaults — under its row
 * lock, with the change log's before/after. The prefix, parent and RIPE status are its
 * structure: retire the pool and create it again to change them. Assignments already made keep
 * their own RPSL attributes; new ones take the new defaults. NOC only.
 */
export async function updatePool(db: DbOrTx, ctx: RequestContext, input: UpdatePoolInput): Promise<PoolRow> {
  mustOperate(ctx, 'changes pools');
  const v = parseInput(updatePoolSchema, input);
  return inTransaction(db, async (tx) => {
    const before = await lockPool(tx, v.id);
    mustBeLive(before);
    const set = {
      ...(v.name !== undefined ? { name: v.name } : {}),
      ...(v.purpose !== undefined ? { purpose: v.purpose } : {}),
      ...(v.strategy !== undefined ? { strategy: v.strategy } : {}),
      ...(v.netname !== undefined ? { netname: v.netname || null } : {}),
      ...(v.country !== undefined ? { country: v.country.toUpperCase() } : {}),
      ...(v.adminC !== undefined ? { adminC: v.adminC } : {}),
      ...(v.techC !== undefined ? { techC: v.techC } : {}),
      ...(v.mntBy !== undefined ? { mntBy: v.mntBy } : {}),
    };
    if (Object.keys(set).length === 0) return before;
    const after = one(await tx.update(pools).set(set).where(eq(pools.id, before.id)).returning());
    // Tails (freelist.ts) are kept by sparse pools only: the other orders read whole blocks.
    if (before.strategy === 'sparse' && after.strategy !== 'sparse') await expandTails(tx, after.id);
    await recordChange(tx, ctx, {
      action: 'ipam.updatePool',
      objectType: 'Pool',
      objectId: after.id,
      before,
      after,
    });
    return after;
  });
}

export const retirePoolSchema = z.object({
  id: z.uuid(),
  reason: z.string().trim().min(1).max(2000),
});
export type RetirePoolInput = z.input<typeof retirePoolSchema>;

/**
 * Retires a pool made by mistake or no longer used: nothing is allocated from it any more, its
 * free space goes back to its parent (a root pool's simply ends), and its prefix may be declared
 * again. Refused while it holds anything — an assignment in a holding lifecycle (`pool-in-use`),
 * a child pool (`pool-has-children`), a live reservation (`pool-has-reservations`) — checked
 * under the parent's then the pool's row lock, the order every allocation and carving takes, so
 * nothing can slip in between the check and the retirement. Retiring twice changes nothing.
 * NOC only.
 */
export async function retirePool(db: DbOrTx, ctx: RequestContext, input: RetirePoolInput): Promise<PoolRow> {
  mustOperate(ctx, 'retires pools');
  const v = parseInput(retirePoolSchema, input);
  return inTransaction(db, async (tx) => {
    const [peek] = await tx.select({ parentId: pools.parentId }).from(pools).where(eq(pools.id, v.id));
    // The parent never changes, so reading it before the locks is safe.
    const parent = peek?.parentId ? await lockPool(tx, peek.parentId) : null;
    const pool = await lockPool(tx, v.id);
    if (pool.retiredAt) return pool;
    const count = async (q: Promise<{ n: number }[]>) => Number((await q)[0]?.n ?? 0);
    const n = sql<number>`count(*)::int`;
    const holding = await count(
      tx
        .select({ n })
        .from(assignments)
        .where(and(eq(assignments.poolId, pool.id), inArray(assignments.lifecycle, [...HOLDING]))),
    );
    if (holding > 0) {
      throw new PolicyRefusalError(
        'pool-in-use',
        `pool ${pool.name} (${pool.prefix}) holds ${holding} assignment(s) still reserved, active, returned or quarantined: they must be returned and their quarantine over first`,
      );
    }
    const children = await count(
      tx
        .select({ n })
        .from(pools)
        .where(and(eq(pools.parentId, pool.id), isNull(pools.retiredAt))),
    );
    if (children > 0) {
      throw new PolicyRefusalError(
        'pool-has-children',
        `pool ${pool.name} (${pool.prefix}) has ${children} child pool(s): retire them first`,
      );
    }
    const held = await count(
      tx
        .select({ n })
        .from(reservations)
        .where(and(eq(reservations.poolId, pool.id), isNull(reservations.releasedAt))),
    );
    if (held > 0) {
      throw new PolicyRefusalError(
        'pool-has-reservations',
        `pool ${pool.name} (${pool.prefix}) has ${held} live reservation(s): release them first`,
      );
    }
    await tx.delete(freeBlocks).where(eq(freeBlocks.poolId, pool.id));
    if (parent) {
      const block = toBlock(pool.prefix);
      await giveBack(tx, parent.id, toBlock(parent.prefix).len, block);
      await tx
        .update(pools)
        .set({ usedUnits: sql`${pools.usedUnits} - ${unitsOf(block.family, block.len)}` })
        .where(eq(pools.id, parent.id));
    }
    const after = one(
      await tx
        .update(pools)
        .set({ retiredAt: ctx.clock.now(), retiredReason: v.reason })
        .where(eq(pools.id, pool.id))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'ipam.retirePool',
      objectType: 'Pool',
      objectId: pool.id,
      before: pool,
      after,
    });
    return after;
  });
}
