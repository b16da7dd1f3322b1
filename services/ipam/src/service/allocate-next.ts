import { actorLabel, type RequestContext } from '@guichet/core';
import { type DbOrTx, rowFromJson, sql } from '@guichet/db';
import type { Lifecycle } from '../model.js';
import { ASSIGNMENT_STATUS } from '../rules.js';
import { assignments, pools } from '../tables.js';
import type { AssignmentRow, PoolRow } from './internal.js';
import { ASSIGNMENT_RESOURCE_STATE } from './resource.js';

/**
 * What `ipam_allocate_next` (migration `ipam_allocate_function`) did, as one statement:
 * - `done`: the block is carved, the assignment inserted, the counters moved, the change log and
 *   the resource written; the assignment comes back as the change log stored it;
 * - `no-space`: nothing written;
 * - `declined`, `not-found`: nothing written — a growth envelope, a retired pool, an RPSL list
 *   that would be empty, a length outside the pool, a pool changed since `expected` was read:
 *   the general path (allocate.ts) decides, under the pool's row lock.
 */
export type NextOutcome =
  | { outcome: 'not-found' }
  | { outcome: 'declined' | 'no-space'; pool: PoolRow }
  | { outcome: 'done'; assignment: AssignmentRow };

interface Raw {
  outcome: NextOutcome['outcome'];
  pool?: Record<string, unknown>;
  assignment?: Record<string, unknown>;
}

/**
 * The common allocation in one statement (its own transaction unless `db` is one): the pool
 * lock is held for the statement only. `expected` is the pool row the caller checked the rules
 * against, read without the lock; the function declines when it changed since.
 */
export async function allocateNext(
  db: DbOrTx,
  ctx: RequestContext,
  /** allocate.ts's parsed input, passed on as it is (its fields are the function's). */
  v: { poolId: string; length: number; institutionId: string; [field: string]: unknown },
  lifecycle: Lifecycle,
  action: string,
  expected: PoolRow,
): Promise<NextOutcome> {
  const input = {
    ...v,
    expect: {
      status: expected.status,
      prefix: expected.prefix,
      assignmentSize: expected.assignmentSize,
      parentId: expected.parentId,
    },
    status: ASSIGNMENT_STATUS,
    lifecycle,
    resourceState: ASSIGNMENT_RESOURCE_STATE[lifecycle] ?? 'active',
    at: ctx.clock.now().toISOString(),
    createdBy: actorLabel(ctx.actor),
    actor: actorLabel(ctx.actor),
    contextRequestId: ctx.requestId,
    action,
  };
  const rows = await db.execute<{ r: Raw | string }>(
    sql`SELECT ipam_allocate_next(${JSON.stringify(input)}::text::jsonb) AS r`,
  );
  const first = (Array.isArray(rows) ? rows[0] : (rows as { rows: { r: Raw | string }[] }).rows[0])!.r;
  const r = typeof first === 'string' ? (JSON.parse(first) as Raw) : first;
  if (r.outcome === 'not-found') {
    seen.delete(v.poolId);
    return { outcome: 'not-found' };
  }
  if (r.outcome === 'done') {
    return { outcome: 'done', assignment: rowFromJson(assignments, r.assignment!, 'property') };
  }
  const pool = rowFromJson(pools, r.pool!);
  rememberPool(pool);
  return { outcome: r.outcome, pool };
}

/**
 * The pool rows last seen, by id, in this process — allocate.ts's read, or the row the function
 * locked when it declined: the next allocation in a pool applies its rules to that row instead
 * of reading it again, one round trip instead of two. It can only be stale, never wrong: what
 * the rules read (status, prefix, assignment-size, parent; retirement) the function compares
 * with the locked row and declines on any difference, and a refusal is never decided on a
 * remembered row (allocate.ts reads it again first). A few hundred bytes a pool; past SEEN_MAX
 * pools the oldest entry goes.
 */
const seen = new Map<string, PoolRow>();
const SEEN_MAX = 1000;

/** Keeps `pool` as the row of its id last seen (see `seen`). */
export function rememberPool(pool: PoolRow): void {
  seen.delete(pool.id);
  if (seen.size >= SEEN_MAX) seen.delete(seen.keys().next().value!);
  seen.set(pool.id, pool);
}

/** The row of `poolId` last seen, if any (see `seen`). */
export const rememberedPool = (poolId: string): PoolRow | undefined => seen.get(poolId);
