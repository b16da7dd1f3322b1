import { and, asc, desc, eq, isNotNull, isNull, lte, sql, type Tx } from '@guichet/db';
import {
  type Block,
  buddy,
  contains,
  fromBlock,
  parent,
  placeIn,
  remainder,
  type Strategy,
  sizeOf,
  toBlock,
} from '../model.js';
import { freeBlocks } from '../tables.js';

/**
 * The free list: each pool's free space as disjoint CIDR blocks in buddy decomposition (the
 * siblings left when a block is split). Every call runs under the pool's row lock. Finding a
 * block of any strategy is one index probe. A row is a whole block, or — sparse pools only — a
 * *tail* `(prefix, cut)`: the prefix minus its first /cut (the "hole", held by what was carved
 * there), i.e. the buddies of that hole up to the prefix, kept implicit so that carving the
 * start of a block writes one row instead of one per level. `masklen` is the row's largest
 * block (the prefix's upper half for a tail), so the sparse order needs no expansion.
 * See README, "Free space".
 */

export interface FreeRow {
  prefix: string;
  cut: number | null;
}

const ORDER: Record<Strategy, ReturnType<typeof asc>[]> = {
  // Smallest block that fits (largest mask length), lowest address: big blocks stay whole.
  best_fit: [desc(freeBlocks.masklen), asc(freeBlocks.prefix)],
  // Largest free block, lowest address: RFC 3531 leftmost (bisection) order, room to grow.
  sparse: [asc(freeBlocks.masklen), asc(freeBlocks.prefix)],
  first_fit: [asc(freeBlocks.prefix)],
  last_fit: [desc(freeBlocks.prefix)],
};

/** The first /len of a block (its start, longer mask). */
const head = (b: Block, len: number): Block => ({ ...b, len });

/** The blocks a row stands for, in address order (a tail: smallest first). */
export function expandRow(row: FreeRow): Block[] {
  const p = toBlock(row.prefix);
  if (row.cut === null) return [p];
  const out: Block[] = [];
  for (let l = row.cut; l > p.len; l--) out.push(buddy(head(p, l)));
  return out;
}

/** The largest block of a row (lowest address among equals): what `masklen` orders. */
export const topOf = (row: FreeRow): Block => {
  const p = toBlock(row.prefix);
  return row.cut === null ? p : buddy(head(p, p.len + 1));
};

/** Every free block of a pool, in address order (reads and tests). */
export async function poolFreeBlocks(tx: Pick<Tx, 'select'>, poolId: string): Promise<Block[]> {
  const rows = await tx
    .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
    .from(freeBlocks)
    .where(eq(freeBlocks.poolId, poolId))
    .orderBy(asc(freeBlocks.prefix));
  return rows.flatMap(expandRow);
}

const alignedSql = (align: number) =>
  sql`host(set_masklen(${freeBlocks.prefix}, ${align})) = host(${freeBlocks.prefix})`;

/** The block a request of `len` gets, per the strategy, or undefined when none fits. */
export async function findFree(
  tx: Tx,
  poolId: string,
  len: number,
  align: number,
  strategy: Strategy,
): Promise<{ free: Block; place: Block } | undefined> {
  const free = strategy === 'sparse' ? await sparseFree(tx, poolId, len, align) : await wholeFree();
  if (!free) return undefined;
  const place = placeIn(free, len, strategy, align);
  return place ? { free, place } : undefined;

  // Other strategies hold whole blocks only (updatePool expands tails when leaving sparse).
  async function wholeFree() {
    const [row] = await tx
      .select({ prefix: freeBlocks.prefix })
      .from(freeBlocks)
      .where(
        and(
          eq(freeBlocks.poolId, poolId),
          lte(freeBlocks.masklen, len),
          // A block shorter than the alignment starts on it; a longer one only if its start does.
          sql`(${freeBlocks.masklen} <= ${align} OR ${alignedSql(align)})`,
        ),
      )
      .orderBy(...ORDER[strategy])
      .limit(1);
    return row ? toBlock(row.prefix) : undefined;
  }
}

/**
 * Sparse: the largest block, lowest address — a row's top. A block longer than the alignment
 * (only for a non-nibble IPv6 length) fits only if its start is aligned, which a tail's top
 * need not be while one of its smaller blocks is: then every block of the pool is looked at.
 */
async function sparseFree(tx: Tx, poolId: string, len: number, align: number): Promise<Block | undefined> {
  const [row] = await tx
    .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
    .from(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), lte(freeBlocks.masklen, Math.min(len, align))))
    .orderBy(...ORDER.sparse)
    .limit(1);
  if (row) return topOf(row);
  if (align >= len) return undefined;
  const fits = (await poolFreeBlocks(tx, poolId)).filter(
    (b) => b.len <= len && b.net % sizeOf(b.family, align) === 0n,
  );
  fits.sort((a, b) => a.len - b.len || (a.net < b.net ? -1 : 1));
  return fits[0];
}

/** The row holding `block` (its prefix contains it; holes included). */
async function rowAround(tx: Tx, poolId: string, block: Block): Promise<FreeRow | undefined> {
  const [row] = await tx
    .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
    .from(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} >>= ${fromBlock(block)}::cidr`))
    .limit(1);
  return row;
}

/** The free block holding all of `block`, if `block` is entirely free. */
export async function freeBlockAround(tx: Tx, poolId: string, block: Block): Promise<Block | undefined> {
  const row = await rowAround(tx, poolId, block);
  return row ? expandRow(row).find((b) => contains(b, block)) : undefined;
}

const rowValues = (poolId: string, b: Block, cut: number | null = null) => ({
  poolId,
  prefix: fromBlock(b),
  cut,
  masklen: cut === null ? b.len : b.len + 1,
});

async function deleteRow(tx: Tx, poolId: string, prefix: string) {
  await tx
    .delete(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} = ${prefix}::cidr`));
}

async function insertWhole(tx: Tx, poolId: string, blocks: Block[]) {
  if (blocks.length) await tx.insert(freeBlocks).values(blocks.map((b) => rowValues(poolId, b)));
}

/**
 * Takes `block` out of the free block `free` that holds it; the rest stays free. In a sparse
 * pool, a block taken at the start of `free` leaves one tail row; elsewhere one row per level.
 */
export async function carve(
  tx: Tx,
  pool: { id: string; strategy: string },
  free: Block,
  block: Block,
  /** False for a child pool: its own free blocks lie in the hole, and free blocks never overlap. */
  tail = true,
): Promise<void> {
  const row = await rowAround(tx, pool.id, free);
  if (!row) throw new Error(`free block ${fromBlock(free)} is not in the free list of pool ${pool.id}`);
  await takeFromRow(tx, pool.id, row, free);
  if (block.len === free.len) return;
  if (tail && pool.strategy === 'sparse' && block.net === free.net) {
    await tx.insert(freeBlocks).values(rowValues(pool.id, free, block.len));
  } else {
    await insertWhole(tx, pool.id, remainder(free, block));
  }
}

/** Removes the block `free` (one of the row's) from the row. */
async function takeFromRow(tx: Tx, poolId: string, row: FreeRow, free: Block) {
  const p = toBlock(row.prefix);
  if (row.cut === null || row.cut === p.len + 1) return deleteRow(tx, poolId, row.prefix);
  if (free.len === p.len + 1) {
    // The top: the tail of the lower half stays.
    const lower = head(p, p.len + 1);
    await tx
      .update(freeBlocks)
      .set({ prefix: fromBlock(lower), masklen: lower.len + 1 })
      .where(and(eq(freeBlocks.poolId, poolId), sql`${freeBlocks.prefix} = ${row.prefix}::cidr`));
    return;
  }
  // A smaller block of the tail (hand-picked, an envelope): the larger ones become whole rows,
  // the smaller ones the tail of the block `free` is the buddy of.
  await deleteRow(tx, poolId, row.prefix);
  await insertWhole(
    tx,
    poolId,
    expandRow(row).filter((b) => b.len < free.len),
  );
  if (row.cut > free.len) await tx.insert(freeBlocks).values(rowValues(poolId, head(p, free.len), row.cut));
}

/** Turns a tail row into its whole blocks (a hole partly given back, a pool leaving sparse). */
async function expandInPlace(tx: Tx, poolId: string, row: FreeRow) {
  await deleteRow(tx, poolId, row.prefix);
  await insertWhole(tx, poolId, expandRow(row));
}

/** Every tail of the pool becomes whole blocks: for a strategy other than sparse. */
export async function expandTails(tx: Tx, poolId: string): Promise<void> {
  const rows = await tx
    .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
    .from(freeBlocks)
    .where(and(eq(freeBlocks.poolId, poolId), isNotNull(freeBlocks.cut)));
  for (const row of rows) await expandInPlace(tx, poolId, row);
}

/** Gives `block` back, merging it with its buddy as long as the buddy is free too. */
export async function giveBack(tx: Tx, poolId: string, poolLen: number, block: Block): Promise<void> {
  let cur = block;
  // Inside a tail's prefix: the block is its hole (the tail becomes whole again) or lies in it
  // (the tail is expanded, so the usual merging applies). No free row lies in a hole.
  const around = await rowAround(tx, poolId, block);
  if (around && around.cut !== null) {
    const p = toBlock(around.prefix);
    if (block.len === around.cut && block.net === p.net) {
      await deleteRow(tx, poolId, around.prefix);
      cur = p;
    } else if (contains(head(p, around.cut), block)) {
      await expandInPlace(tx, poolId, around);
    }
  }
  while (cur.len > poolLen) {
    const merged = await tx
      .delete(freeBlocks)
      .where(
        and(
          eq(freeBlocks.poolId, poolId),
          sql`${freeBlocks.prefix} = ${fromBlock(buddy(cur))}::cidr`,
          isNull(freeBlocks.cut),
        ),
      )
      .returning({ prefix: freeBlocks.prefix });
    if (merged.length === 0) break;
    cur = parent(cur);
  }
  await tx.insert(freeBlocks).values(rowValues(poolId, cur));
}
