import {
  canWrite,
  type FieldIssue,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type DbOrTx, eq, type Tx } from '@guichet/db';
import type { z } from 'zod';
import { type Block, toBlock } from '../model.js';
import type { ParentInfo } from '../rules.js';
import { type assignments, pools, type reservations } from '../tables.js';

export type PoolRow = typeof pools.$inferSelect;
export type AssignmentRow = typeof assignments.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;

export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (db as Tx).transaction(fn);
}

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = ['input'],
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues: FieldIssue[] = r.error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: i.message,
  }));
  throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
}

/** Pools, manual assignment and reservations belong to the NOC (admin stands in). */
export function mustOperate(ctx: RequestContext, what: string): void {
  if (!hasStaffRole(ctx.actor, 'noc') || !canWrite(ctx.actor)) {
    throw new ForbiddenError(`only the NOC ${what}`);
  }
}

/** The NOC or the desk (who may act on any institution's assignments). */
export const isOperatorDesk = (ctx: RequestContext): boolean => hasStaffRole(ctx.actor, 'noc', 'desk');

/** Locks the pool row: every allocation in this pool queues here, other pools run on. */
export async function lockPool(tx: Tx, id: string): Promise<PoolRow> {
  if (!isUuid(id)) throw new NotFoundError('Pool', id);
  const [row] = await tx.select().from(pools).where(eq(pools.id, id)).for('update');
  if (!row) throw new NotFoundError('Pool', id);
  return row;
}

export const blockOf = (row: { prefix: string }): Block => toBlock(row.prefix);

export async function parentInfo(db: DbOrTx, pool: PoolRow): Promise<ParentInfo> {
  let levels = 0;
  for (let cur: PoolRow | undefined = pool; cur; ) {
    if (cur.status === 'AGGREGATED-BY-LIR') levels++;
    const pid: string | null = cur.parentId;
    cur = pid ? (await db.select().from(pools).where(eq(pools.id, pid)))[0] : undefined;
  }
  return {
    status: pool.status,
    prefix: blockOf(pool),
    assignmentSize: pool.assignmentSize,
    aggregatedLevels: levels,
  };
}

export { one } from '@guichet/db';
