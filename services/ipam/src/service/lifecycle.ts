import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  ForbiddenError,
  InvalidTransitionError,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, type DbOrTx, eq, isNull, lte, sql, type Tx } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { z } from 'zod';
import { alignmentLength, fromBlock, toBlock, unitsOf } from '../model.js';
import { assignments, pools, reservations } from '../tables.js';
import { carve, findFree, freeBlockAround, giveBack } from './freelist.js';
import { envelopeRows, giveBackToEnvelope } from './growth.js';
import { ASSIGNMENT_RETURNED } from './hooks.js';
import {
  type AssignmentRow,
  inTransaction,
  isOperatorDesk,
  lockPool,
  mustBeLive,
  mustOperate,
  one,
  parseInput,
  type ReservationRow,
} from './internal.js';
import { recordAssignment } from './resource.js';

export const DEFAULT_QUARANTINE_DAYS = 30;
const DAY = 24 * 3600 * 1000;

async function lockAssignment(tx: Tx, id: string): Promise<AssignmentRow> {
  if (!isUuid(id)) throw new NotFoundError('Assignment', id);
  const [a] = await tx.select().from(assignments).where(eq(assignments.id, id));
  if (!a) throw new NotFoundError('Assignment', id);
  // The pool first, as the allocator does: one lock order, no deadlock.
  await lockPool(tx, a.poolId);
  return one(await tx.select().from(assignments).where(eq(assignments.id, id)).for('update'));
}

async function move(
  tx: Tx,
  ctx: RequestContext,
  before: AssignmentRow,
  set: Partial<AssignmentRow>,
  action: string,
  requestId: string | null = null,
) {
  const after = one(await tx.update(assignments).set(set).where(eq(assignments.id, before.id)).returning());
  await recordAssignment(tx, ctx, after, requestId);
  await recordChange(tx, ctx, {
    action,
    objectType: 'Assignment',
    objectId: after.id,
    institutionId: after.institutionId,
    before,
    after,
  });
  return after;
}

/**
 * The institution gives a prefix back: active (or reserved) → returned. The space stays held
 * until the quarantine ends. Staff, or a contact of the institution (the workflow checks roles).
 */
export async function returnAssignment(
  db: DbOrTx,
  ctx: RequestContext,
  env: Env,
  id: string,
  /** The `ipam.return` request doing it, linked to the resource. */
  requestId: string | null = null,
): Promise<AssignmentRow> {
  return inTransaction(db, async (tx) => {
    const a = await lockAssignment(tx, id);
    if (ctx.actor.kind === 'contact' && ctx.actor.institutionId !== a.institutionId)
      throw new NotFoundError('Assignment', id);
    if (ctx.actor.kind !== 'contact' && ctx.actor.kind !== 'system' && !isOperatorDesk(ctx))
      throw new ForbiddenError();
    if (a.lifecycle === 'returned' || a.lifecycle === 'quarantined') return a;
    if (a.lifecycle !== 'active' && a.lifecycle !== 'reserved') {
      throw new InvalidTransitionError('Assignment', a.lifecycle, 'returned');
    }
    const after = await move(
      tx,
      ctx,
      a,
      { lifecycle: 'returned', returnedAt: ctx.clock.now() },
      'ipam.return',
      requestId,
    );
    await env.hooks.emit(ASSIGNMENT_RETURNED, tx, ctx, after);
    return after;
  });
}

/** returned → quarantined until now + `days` (default 30): the prefix is not reused before. */
export async function quarantineAssignment(
  db: DbOrTx,
  ctx: RequestContext,
  id: string,
  days = DEFAULT_QUARANTINE_DAYS,
): Promise<AssignmentRow> {
  return inTransaction(db, async (tx) => {
    const a = await lockAssignment(tx, id);
    if (a.lifecycle === 'quarantined') return a;
    if (a.lifecycle !== 'returned')
      throw new InvalidTransitionError('Assignment', a.lifecycle, 'quarantined');
    const until = new Date(ctx.clock.now().getTime() + days * DAY);
    return move(tx, ctx, a, { lifecycle: 'quarantined', quarantineUntil: until }, 'ipam.quarantine');
  });
}

/** reserved → active (after registration). Idempotent. */
export async function activateAssignment(
  db: DbOrTx,
  ctx: RequestContext,
  id: string,
): Promise<AssignmentRow> {
  return inTransaction(db, async (tx) => {
    const a = await lockAssignment(tx, id);
    if (a.lifecycle === 'active') return a;
    if (a.lifecycle !== 'reserved') throw new InvalidTransitionError('Assignment', a.lifecycle, 'active');
    return move(tx, ctx, a, { lifecycle: 'active', activatedAt: ctx.clock.now() }, 'ipam.activate');
  });
}

export const reserveSchema = z.object({
  poolId: z.uuid(),
  length: z.number().int().min(1).max(128).optional(),
  prefix: z.string().trim().min(3).max(60).optional(),
  kind: z.enum(['growth', 'hold']).default('hold'),
  institutionId: z.uuid().optional(),
  assignmentId: z.uuid().optional(),
  reason: z.string().trim().min(1).max(1000),
  expiresAt: z.date().optional(),
});
export type ReserveInput = z.input<typeof reserveSchema>;

/** Holds space (a given prefix, or the next block of `length` per the pool's strategy). NOC only. */
export async function reservePrefix(
  db: DbOrTx,
  ctx: RequestContext,
  input: ReserveInput,
): Promise<ReservationRow> {
  mustOperate(ctx, 'reserves space');
  const v = parseInput(reserveSchema, input);
  // An expiry already past would be released by the next expiry run: never what was meant.
  if (v.expiresAt && v.expiresAt.getTime() <= ctx.clock.now().getTime()) {
    throw ValidationError.field(['input', 'expiresAt'], 'must be in the future');
  }
  return inTransaction(db, async (tx) => {
    const pool = await lockPool(tx, v.poolId);
    mustBeLive(pool);
    let block: ReturnType<typeof toBlock>;
    if (v.prefix) {
      block = toBlock(v.prefix, ['input', 'prefix']);
      const free = await freeBlockAround(tx, pool.id, block);
      if (!free) throw new PolicyRefusalError('not-free', `${v.prefix} is not free in pool ${pool.name}`);
      await carve(tx, pool, free, block);
    } else {
      const len = v.length ?? (pool.family === 4 ? 24 : 48);
      const hit = await findFree(
        tx,
        pool.id,
        len,
        alignmentLength(pool.family as 4 | 6, len),
        pool.strategy as 'sparse',
      );
      if (!hit)
        throw new PolicyRefusalError('no-space', `pool ${pool.name} (${pool.prefix}) has no free /${len}`);
      await carve(tx, pool, hit.free, hit.place);
      block = hit.place;
    }
    const row = one(
      await tx
        .insert(reservations)
        .values({
          poolId: pool.id,
          family: block.family,
          prefix: fromBlock(block),
          kind: v.kind,
          institutionId: v.institutionId ?? null,
          assignmentId: v.assignmentId ?? null,
          reason: v.reason,
          expiresAt: v.expiresAt ?? null,
          createdBy: actorLabel(ctx.actor),
          createdAt: ctx.clock.now(),
        })
        .returning(),
    );
    await tx
      .update(pools)
      .set({ reservedUnits: sql`${pools.reservedUnits} + ${unitsOf(block.family, block.len)}` })
      .where(eq(pools.id, pool.id));
    await recordChange(tx, ctx, {
      action: 'ipam.reserve',
      objectType: 'Reservation',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

/**
 * Releases a reservation: its space is free again at once. A growth block releases its whole
 * envelope (the blocks no assignment holds). NOC (or the expiry job). Idempotent.
 */
export async function releaseReservation(
  db: DbOrTx,
  ctx: RequestContext,
  id: string,
): Promise<ReservationRow> {
  if (ctx.actor.kind !== 'system') mustOperate(ctx, 'releases reservations');
  if (!isUuid(id)) throw new NotFoundError('Reservation', id);
  return inTransaction(db, async (tx) => {
    const [r0] = await tx.select().from(reservations).where(eq(reservations.id, id));
    if (!r0) throw new NotFoundError('Reservation', id);
    const pool = await lockPool(tx, r0.poolId);
    const before = one(await tx.select().from(reservations).where(eq(reservations.id, id)).for('update'));
    if (before.releasedAt) return before;
    // A growth envelope is released whole: every live block of it goes back to the free list.
    const rows = await envelopeRows(tx, before);
    const now = ctx.clock.now();
    let units = 0;
    let after = before;
    for (const r of rows) {
      const block = toBlock(r.prefix);
      const done = one(
        await tx.update(reservations).set({ releasedAt: now }).where(eq(reservations.id, r.id)).returning(),
      );
      if (r.id === id) after = done;
      await giveBack(tx, pool.id, toBlock(pool.prefix).len, block);
      units += unitsOf(block.family, block.len);
    }
    await tx
      .update(pools)
      .set({ reservedUnits: sql`${pools.reservedUnits} - ${units}` })
      .where(eq(pools.id, pool.id));
    await recordChange(tx, ctx, {
      action: 'ipam.releaseReservation',
      objectType: 'Reservation',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

/** quarantined past its end → free: the space goes back to the free list. Idempotent. */
export async function freeAssignment(db: DbOrTx, ctx: RequestContext, id: string): Promise<AssignmentRow> {
  return inTransaction(db, async (tx) => {
    const a = await lockAssignment(tx, id);
    if (a.lifecycle === 'free') return a;
    if (a.lifecycle !== 'quarantined' || (a.quarantineUntil && a.quarantineUntil > ctx.clock.now())) {
      throw new InvalidTransitionError('Assignment', a.lifecycle, 'free');
    }
    const after = await move(tx, ctx, a, { lifecycle: 'free', freedAt: ctx.clock.now() }, 'ipam.free');
    const block = toBlock(a.prefix);
    const pool = one(await tx.select().from(pools).where(eq(pools.id, a.poolId)));
    // Inside a live envelope of the institution: back to the envelope, else to the free list.
    if (!(await giveBackToEnvelope(tx, ctx, pool, a.institutionId, block))) {
      await giveBack(tx, a.poolId, toBlock(pool.prefix).len, block);
    }
    await tx
      .update(pools)
      .set({
        usedUnits: sql`${pools.usedUnits} - ${unitsOf(block.family, block.len)}`,
        assignmentCount: sql`${pools.assignmentCount} - 1`,
      })
      .where(eq(pools.id, a.poolId));
    return after;
  });
}

/** What the release job does: ends due quarantines and expired reservations, one by one. */
export async function releaseExpired(
  db: DbOrTx,
  ctx: RequestContext,
): Promise<{ freed: number; released: number }> {
  const now = ctx.clock.now();
  const due = await db
    .select({ id: assignments.id })
    .from(assignments)
    .where(and(eq(assignments.lifecycle, 'quarantined'), lte(assignments.quarantineUntil, now)));
  for (const { id } of due) await freeAssignment(db, ctx, id);
  const expired = await db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(isNull(reservations.releasedAt), lte(reservations.expiresAt, now)));
  for (const { id } of expired) await releaseReservation(db, ctx, id);
  return { freed: due.length, released: expired.length };
}
