import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext, ValidationError } from '@guichet/core';
import { type DbOrTx, eq, sql } from '@guichet/db';
import { z } from 'zod';
import { fromBlock, maxBits, STRATEGIES, toBlock, unitLength, unitsOf } from '../model.js';
import { ALL_POOL_STATUSES, checkAssignmentSize, checkStatusUnder } from '../rules.js';
import { pools } from '../tables.js';
import { carve, freeBlockAround } from './freelist.js';
import {
  inTransaction,
  lockPool,
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
});
export type CreatePoolInput = z.input<typeof createPoolSchema>;

// No RIR holds more than a /8 of IPv4 or a /12 of IPv6 from IANA, so no pool is larger; and the
// counters (units: addresses, or /64s) must stay exact integers — a ::/0 is 2^64 /64s.
const SHORTEST_POOL = { 4: 8, 6: 12 } as const;

/**
 * A pool: space from the RIR (no parent) or a subdivision carved out of its parent's free
 * space. RIPE status/parent and AGGREGATED-BY-LIR rules are checked first. NOC only.
 * Default strategy: best-fit for IPv4 (scarce), sparse for IPv6 (room to grow).
 */
export async function createPool(db: DbOrTx, ctx: RequestContext, input: CreatePoolInput): Promise<PoolRow> {
  mustOperate(ctx, 'creates pools');
  const v = parseInput(createPoolSchema, input);
  const block = toBlock(v.prefix, ['input', 'prefix']);
  if (block.len < SHORTEST_POOL[block.family]) {
    throw ValidationError.field(
      ['input', 'prefix'],
      `an IPv${block.family} pool is at most a /${SHORTEST_POOL[block.family]} (the largest block an RIR holds)`,
    );
  }
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
    const info = parent ? await parentInfo(tx, parent) : null;
    checkStatusUnder(block.family, v.status, info);
    checkAssignmentSize(block.family, v.status, block, v.assignmentSize, info);
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
      await carve(tx, parent.id, free, block);
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
          country: v.country?.toUpperCase() ?? null,
          adminC: v.adminC ?? [],
          techC: v.techC ?? [],
          mntBy: v.mntBy ?? [],
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
