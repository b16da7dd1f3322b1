import { and, asc, desc, eq, lte, sql, type Tx } from '@guichet/db';
import {
  type Block,
  buddy,
  fromBlock,
  parent,
  placeIn,
  remainder,
  type Strategy,
  toBlock,
} from '../model.js';
import { freeBlocks } from '../tables.js';

/**
 * The free list: each pool's free space as disjoint CIDR blocks in buddy decomposition (the
 * siblings left when a block is split). Every call runs under the pool's row lock. Finding a
 * block of any strategy is one index probe; taking or giving back a block touches at most
 * (requested length − block length) rows. See README, "Free space".
 */

const ORDER: Record<Strategy, ReturnType<typeof asc>[]> = {
  // Smallest block that fits (largest mask length), lowest address: big blocks stay whole.
  best_fit: [desc(freeBlocks.masklen), asc(freeBlocks.prefix)],
  // Largest free block, lowest address: RFC 3531 leftmost (bisection) order, room to grow.
  sparse: [asc(freeBlocks.masklen), asc(freeBlocks.prefix)],
  first_fit: [asc(freeBlocks.prefix)],
  last_fit: [desc(freeBlocks.prefix)],
};

/** The block a request of `len` gets, per the strategy, or undefined when none fits. */
export async function findFree(
  tx: Tx,
  poolId: string,
  len: number,
  align: number,
  strategy: Strategy,
): Promise<{ free: Block; place: Block } | undefined> {
  const [row] = await tx
    .select({ prefix: freeBlocks.prefix })
    .from(freeBlocks)
    .where(
      and(
        eq(freeBlocks.poolId, poolId),
        lte(freeBlocks.masklen, len),
        // A block shorter than the alignment starts on it; a longer one only if its start does.
        sql`(${freeBlocks.masklen} <= ${align} OR host(set_masklen(${freeBlocks.prefix}, ${align})) = host(${freeBlocks.prefix}))`,
      ),
    )
    .orderBy(...ORDER[strategy])
    .limit(1);
  if (!row) return undefined;
  const free = toBlock(row.prefix);
  const place = placeIn(free, len, strategy, align);
  return place ? { free, place } : undefined;
}

/** The free block holding all of `block`, if `block` is entirely free. */
export async function freeBlockAround(tx: Tx, poolId: string, block: Block): Promise<Block | undefined> {
  const [row] = await tx
    .select({ prefix: freeBlocks.prefix })
    .from(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} >>= ${fromBlock(block)}::cidr`))
    .limit(1);
  return row ? toBlock(row.prefix) : undefined;
}

/** Takes `block` out of the free block `free` that holds it; the rest stays free. */
export async function carve(tx: Tx, poolId: string, free: Block, block: Block): Promise<void> {
  await tx
    .delete(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} = ${fromBlock(free)}::cidr`));
  const rest = remainder(free, block);
  if (rest.length) {
    await tx.insert(freeBlocks).values(rest.map((b) => ({ poolId, prefix: fromBlock(b), masklen: b.len })));
  }
}

/** Gives `block` back, merging it with its buddy as long as the buddy is free too. */
export async function giveBack(tx: Tx, poolId: string, poolLen: number, block: Block): Promise<void> {
  let cur = block;
  while (cur.len > poolLen) {
    const merged = await tx
      .delete(freeBlocks)
      .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} = ${fromBlock(buddy(cur))}::cidr`))
      .returning({ prefix: freeBlocks.prefix });
    if (merged.length === 0) break;
    cur = parent(cur);
  }
  await tx.insert(freeBlocks).values({ poolId, prefix: fromBlock(cur), masklen: cur.len });
}
