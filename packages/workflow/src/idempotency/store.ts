import { createHash } from 'node:crypto';
import { IdempotencyError } from '@guichet/core';
import { and, type DbOrTx, eq, sql, type Tx } from '@guichet/db';
import { idempotencyKeys as t } from './tables.js';

/**
 * The claim protocol, in the database only (no check-then-insert in application code):
 * `INSERT … ON CONFLICT DO UPDATE … WHERE <expired or lapsed>` claims a key atomically — of two
 * racing calls exactly one gets the row back; the other reads the winner's row and replays it,
 * waits for it, or is told it conflicts.
 */

export interface KeyScope {
  actor: string;
  key: string;
  hash: string;
}

export type Claim =
  | { state: 'claimed' }
  | { state: 'done'; response: unknown }
  | { state: 'running' }
  | { state: 'conflict' };

export interface ClaimOptions {
  now: Date;
  ttlHours: number;
  /** How long a running claim holds before a repeat may take it over (default 5 minutes). */
  leaseSeconds?: number;
}

/** Longest key accepted: it is stored and echoed in errors. */
export const MAX_KEY_LENGTH = 200;
export const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** sha256 of a JSON value with its object keys sorted, so `{a,b}` and `{b,a}` hash alike. */
export function hashInput(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

async function insertClaim(db: DbOrTx, s: KeyScope, o: ClaimOptions): Promise<boolean> {
  const expiresAt = new Date(o.now.getTime() + o.ttlHours * 3600_000);
  const lockedUntil = new Date(o.now.getTime() + (o.leaseSeconds ?? 300) * 1000);
  const fresh = { hash: s.hash, state: 'running', response: null, createdAt: o.now, expiresAt, lockedUntil };
  const rows = await db
    .insert(t)
    .values({ actor: s.actor, key: s.key, ...fresh })
    .onConflictDoUpdate({
      target: [t.actor, t.key],
      set: fresh,
      // An expired key is free again; a lapsed claim (its process died) is taken over by the
      // same input only — another input under a live key is still a conflict.
      where: sql`${t.expiresAt} <= ${ts(o.now)} OR (${t.state} = 'running' AND ${t.lockedUntil} <= ${ts(o.now)} AND ${t.hash} = ${s.hash})`,
    })
    .returning({ actor: t.actor });
  return rows.length > 0;
}

function judge(s: KeyScope, row: { hash: string; state: string; response: unknown }): Claim {
  if (row.hash !== s.hash) return { state: 'conflict' };
  if (row.state === 'done') return { state: 'done', response: row.response };
  return { state: 'running' };
}

const where = (s: KeyScope) => and(eq(t.actor, s.actor), eq(t.key, s.key));

/** Claims a key outside any transaction (the `Idempotency-Key` header: the call commits on its own). */
export async function claimKey(db: DbOrTx, s: KeyScope, o: ClaimOptions): Promise<Claim> {
  // Two rounds: the row read may have been released (deleted) between the insert and the read.
  for (let round = 0; round < 3; round++) {
    if (await insertClaim(db, s, o)) return { state: 'claimed' };
    const [row] = await db.select().from(t).where(where(s));
    if (row) return judge(s, row);
  }
  return { state: 'running' };
}

/** Polls a running key until it is done (or released, or `timeoutMs` passed). */
export async function waitForKey(
  db: DbOrTx,
  s: KeyScope,
  o: Omit<ClaimOptions, 'now'> & { timeoutMs: number; clock: () => Date },
): Promise<Claim> {
  const until = Date.now() + o.timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const claim = await claimKey(db, s, { ...o, now: o.clock() });
    if (claim.state !== 'running' || Date.now() >= until) return claim;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Stores the answer of a claimed key. */
export async function completeKey(db: DbOrTx, s: KeyScope, response: unknown): Promise<void> {
  await db
    .update(t)
    .set({ state: 'done', response })
    .where(and(where(s), eq(t.hash, s.hash)));
}

/** Gives a claimed key back (the call failed in a way worth retrying: outage, bug). */
export async function releaseKey(db: DbOrTx, s: KeyScope): Promise<void> {
  await db.delete(t).where(and(where(s), eq(t.state, 'running'), eq(t.hash, s.hash)));
}

/**
 * Claims a key inside the caller's transaction (a bulk item): the claim, the work and the
 * stored answer commit together or not at all, so an interrupted run leaves either a finished
 * item with its key or nothing. A concurrent claim of the same key blocks on the row until the
 * other transaction ends. Returns the stored answer of a finished key, null when claimed.
 */
export async function claimKeyInTx(
  tx: Tx,
  s: KeyScope,
  o: ClaimOptions,
): Promise<{ response: unknown } | null> {
  if (await insertClaim(tx, s, o)) return null;
  const [row] = await tx.select().from(t).where(where(s)).for('update');
  if (!row) throw new IdempotencyError('IDEMPOTENCY_IN_PROGRESS', s.key);
  const claim = judge(s, row);
  if (claim.state === 'done') return { response: claim.response };
  throw new IdempotencyError(
    claim.state === 'conflict' ? 'IDEMPOTENCY_CONFLICT' : 'IDEMPOTENCY_IN_PROGRESS',
    s.key,
  );
}

/** Deletes expired keys; returns how many. */
export async function purgeExpiredKeys(db: DbOrTx, now: Date): Promise<number> {
  const rows = await db
    .delete(t)
    .where(sql`${t.expiresAt} <= ${ts(now)}`)
    .returning({ key: t.key });
  return rows.length;
}
