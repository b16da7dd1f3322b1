import { recordChange } from '@guichet/audit';
import { actorLabel, type RequestContext } from '@guichet/core';
import { and, asc, desc, eq, isNull, lte, sql, type Tx } from '@guichet/db';
import { formatPrefix, growthRoom } from '@guichet/net';
import {
  type Block,
  buddy,
  fromBlock,
  maxBits,
  parent,
  placeIn,
  remainder,
  type Strategy,
  toBlock,
  unitsOf,
} from '../model.js';
import { pools, reservations } from '../tables.js';
import { carve, findFree } from './freelist.js';
import type { AssignmentRow, PoolRow, ReservationRow } from './internal.js';

/**
 * Growth envelopes (README, "Growth envelopes"). An envelope is an aligned block (e.g. a /44)
 * reserved for one institution around its assignment (e.g. a /48). It is kept as reservation
 * rows of kind `growth` — the buddy blocks of the envelope that no assignment of the
 * institution holds, each row carrying the whole `envelope` — so the free list, the
 * reservation exclusion constraint and the pool counters stay exact: the envelope's space is
 * in no free block, hence no other institution can be given any of it. The institution's next
 * prefix is carved from these rows first (best-fit: next to what it holds, so it aggregates).
 * Every call runs under the pool's row lock.
 */

const liveGrowth = (poolId: string) =>
  and(eq(reservations.poolId, poolId), eq(reservations.kind, 'growth'), isNull(reservations.releasedAt));

/** Where a request of `len` goes inside the institution's envelopes of this pool, if it fits. */
export async function findInEnvelope(
  tx: Tx,
  poolId: string,
  institutionId: string,
  len: number,
  align: number,
): Promise<{ row: ReservationRow; place: Block } | undefined> {
  const [row] = await tx
    .select()
    .from(reservations)
    .where(
      and(
        liveGrowth(poolId),
        eq(reservations.institutionId, institutionId),
        lte(sql`masklen(${reservations.prefix})`, len),
        sql`(masklen(${reservations.prefix}) <= ${align} OR host(set_masklen(${reservations.prefix}, ${align})) = host(${reservations.prefix}))`,
      ),
    )
    // Best-fit: the smallest block that fits, lowest address.
    .orderBy(desc(sql`masklen(${reservations.prefix})`), asc(reservations.prefix))
    .limit(1);
  if (!row) return undefined;
  const place = placeIn(toBlock(row.prefix), len, 'first_fit', align);
  return place ? { row, place } : undefined;
}

async function addUnits(tx: Tx, poolId: string, delta: number) {
  if (delta !== 0)
    await tx
      .update(pools)
      .set({ reservedUnits: sql`${pools.reservedUnits} + ${delta}` })
      .where(eq(pools.id, poolId));
}

const sumUnits = (blocks: Block[]) => blocks.reduce((n, b) => n + unitsOf(b.family, b.len), 0);

async function insertRows(
  tx: Tx,
  ctx: RequestContext,
  pool: PoolRow,
  blocks: Block[],
  meta: { institutionId: string | null; assignmentId: string | null; envelope: string; reason: string },
): Promise<ReservationRow[]> {
  if (blocks.length === 0) return [];
  return tx
    .insert(reservations)
    .values(
      blocks.map((b) => ({
        poolId: pool.id,
        family: b.family,
        prefix: fromBlock(b),
        kind: 'growth',
        ...meta,
        createdBy: actorLabel(ctx.actor),
        createdAt: ctx.clock.now(),
      })),
    )
    .returning();
}

/** Takes `place` out of the envelope block `row`: the row is used up, its remainder stays reserved. */
export async function takeFromEnvelope(
  tx: Tx,
  ctx: RequestContext,
  pool: PoolRow,
  row: ReservationRow,
  place: Block,
): Promise<void> {
  const block = toBlock(row.prefix);
  await tx.update(reservations).set({ releasedAt: ctx.clock.now() }).where(eq(reservations.id, row.id));
  const rest = remainder(block, place);
  await insertRows(tx, ctx, pool, rest, {
    institutionId: row.institutionId,
    assignmentId: row.assignmentId,
    envelope: row.envelope ?? row.prefix,
    reason: row.reason,
  });
  await addUnits(tx, pool.id, sumUnits(rest) - unitsOf(block.family, block.len));
  await recordChange(tx, ctx, {
    action: 'ipam.growth.take',
    objectType: 'Reservation',
    objectId: row.id,
    institutionId: row.institutionId ?? undefined,
    before: row,
    after: { envelope: row.envelope, taken: fromBlock(place), left: rest.map(fromBlock) },
  });
}

/**
 * A new allocation with an envelope of length `growth` (< len): the aligned free block of
 * that length per the pool's strategy, the assignment at its start (its end for last-fit).
 * When no such block is free, the allocation goes wherever a /len fits and the envelope is the
 * largest aligned block around it that is free (`growthRoom` bounded by the free block it
 * came from), or none. The envelope is carved out of the free list whole; `reserveEnvelope`
 * then records it minus the assignment.
 */
export async function findWithEnvelope(
  tx: Tx,
  pool: PoolRow,
  len: number,
  growth: number,
  align: (len: number) => number,
): Promise<{ free: Block; place: Block; envelope: Block | undefined } | undefined> {
  const strategy = pool.strategy as Strategy;
  const wide = await findFree(tx, pool.id, growth, align(growth), strategy);
  if (wide) {
    const place = placeIn(wide.place, len, strategy, align(len));
    if (place) return { free: wide.free, place, envelope: wide.place };
  }
  const hit = await findFree(tx, pool.id, len, align(len), strategy);
  if (!hit) return undefined;
  const room = toBlock(
    formatPrefix(
      growthRoom(fromBlock(hit.place), [], {
        within: fromBlock(hit.free),
        align: hit.place.family === 6 ? 4 : 1,
      }),
    ),
  );
  const envelope = room.len < len ? room : undefined;
  return { free: hit.free, place: hit.place, envelope };
}

/** Carves `envelope` (which holds `place`) from `free` and reserves it minus the assignment. */
export async function reserveEnvelope(
  tx: Tx,
  ctx: RequestContext,
  pool: PoolRow,
  free: Block,
  envelope: Block,
  place: Block,
): Promise<(a: AssignmentRow) => Promise<void>> {
  await carve(tx, pool, free, envelope);
  return async (a) => {
    const rest = remainder(envelope, place);
    const rows = await insertRows(tx, ctx, pool, rest, {
      institutionId: a.institutionId,
      assignmentId: a.id,
      envelope: fromBlock(envelope),
      reason: `growth envelope ${fromBlock(envelope)} around ${a.prefix}`,
    });
    await addUnits(tx, pool.id, sumUnits(rest));
    await recordChange(tx, ctx, {
      action: 'ipam.growth.reserve',
      objectType: 'Reservation',
      objectId: rows[0]?.id ?? a.id,
      institutionId: a.institutionId,
      after: { envelope: fromBlock(envelope), assignment: a.prefix, blocks: rows.map((r) => r.prefix) },
    });
  };
}

/**
 * A freed assignment inside a live envelope of its institution goes back to the envelope (the
 * reservation grows again, merging with its buddies up to the envelope), not to the free list.
 * Returns false when there is no such envelope.
 */
export async function giveBackToEnvelope(
  tx: Tx,
  ctx: RequestContext,
  pool: PoolRow,
  institutionId: string,
  block: Block,
): Promise<boolean> {
  const [any] = await tx
    .select()
    .from(reservations)
    .where(
      and(
        liveGrowth(pool.id),
        eq(reservations.institutionId, institutionId),
        sql`${reservations.envelope} >>= ${fromBlock(block)}::cidr`,
      ),
    )
    .limit(1);
  if (!any?.envelope) return false;
  const envelope = toBlock(any.envelope);
  let cur = block;
  let merged = 0;
  while (cur.len > envelope.len) {
    const [b] = await tx
      .update(reservations)
      .set({ releasedAt: ctx.clock.now() })
      .where(
        and(
          liveGrowth(pool.id),
          eq(reservations.envelope, any.envelope),
          sql`${reservations.prefix} = ${fromBlock(buddy(cur))}::cidr`,
        ),
      )
      .returning();
    if (!b) break;
    merged += unitsOf(cur.family, cur.len);
    cur = parent(cur);
  }
  await insertRows(tx, ctx, pool, [cur], {
    institutionId,
    assignmentId: any.assignmentId,
    envelope: any.envelope,
    reason: any.reason,
  });
  await addUnits(tx, pool.id, unitsOf(cur.family, cur.len) - merged);
  await recordChange(tx, ctx, {
    action: 'ipam.growth.giveBack',
    objectType: 'Reservation',
    objectId: any.id,
    institutionId,
    after: { envelope: any.envelope, returned: fromBlock(block), block: fromBlock(cur) },
  });
  return true;
}

/** Rows of the envelope `row` belongs to that are still live (to release it whole). */
export async function envelopeRows(tx: Tx, row: ReservationRow): Promise<ReservationRow[]> {
  if (row.kind !== 'growth' || !row.envelope) return [row];
  return tx
    .select()
    .from(reservations)
    .where(and(liveGrowth(row.poolId), eq(reservations.envelope, row.envelope)))
    .for('update');
}

export const envelopeLength = (
  pool: PoolRow,
  len: number,
  growth: number | undefined,
): number | undefined => {
  const g = growth ?? pool.growthLength ?? undefined;
  if (g === undefined || g === 0) return undefined;
  const poolLen = toBlock(pool.prefix).len;
  const bounded = Math.max(g, poolLen);
  return bounded < len && len <= maxBits(pool.family as 4 | 6) ? bounded : undefined;
};
