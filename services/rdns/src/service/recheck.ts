import { ConflictError, type RequestContext, systemContext } from '@guichet/core';
import { type Db, eq } from '@guichet/db';
import { type Env, fileRequest } from '@guichet/workflow';
import { isLame, NO_CHECKER } from '../model.js';
import { delegations } from '../tables.js';
import { RDNS_LAME } from '../workflow.js';
import { type DelegationRow, getDelegation, recordCheck, setDelegationState } from './delegations.js';

/**
 * Checking delegated zones again: one zone on the NOC's demand, every published zone on a
 * schedule. The check talks to the institution's servers outside any transaction; its outcome
 * is then applied under the delegation's row lock:
 * - published and lame (model.ts `isLame`: any error, or a server unreachable, lame or not
 *   authoritative even where the pre-delegation gate only warns) → an `rdns.lameDelegation` request is filed (its first step marks the
 *   zone lame; a racing re-check's filing is refused, so one zone opens one request);
 * - lame and no longer so → published again (the lame request's repair step completes next time);
 * - otherwise the run is recorded.
 */

export type RecheckOutcome = 'ok' | 'failing' | 'turned-lame' | 'recovered' | 'not-checked';

/** Checks one live delegation now (the NOC's action) and applies the outcome. */
export async function recheckOne(
  db: Db,
  ctx: RequestContext,
  env: Env,
  delegationId: string,
): Promise<{ delegation: DelegationRow; outcome: RecheckOutcome }> {
  const row = await getDelegation(db, delegationId);
  if (row.state === 'withdrawn') throw new ConflictError(`${row.zone} is withdrawn`);
  const outcome = await recheckRow(db, ctx, env, row);
  return { delegation: await getDelegation(db, row.id), outcome };
}

/**
 * Checks `row` (as read before the check) and applies the outcome. Reads nothing back: the
 * scheduled run calls this for thousands of zones, and each statement saved counts there.
 */
async function recheckRow(
  db: Db,
  ctx: RequestContext,
  env: Env,
  row: DelegationRow,
): Promise<RecheckOutcome> {
  const check = env.line('rdns').checker;
  if (!check) {
    const findings = [...NO_CHECKER];
    await db.transaction((tx) => recordCheck(tx, ctx, row.id, findings, false));
    return 'not-checked';
  }
  const result = await check({ zone: row.zone, nameservers: row.nameservers, ds: row.ds });
  const { findings, blocking } = result;
  const lame = isLame(result);
  let outcome: RecheckOutcome = lame ? 'failing' : 'ok';
  if (lame && row.state === 'published') {
    try {
      await fileRequest(db, systemContext('rdns', ctx.requestId), env, {
        kind: RDNS_LAME,
        institutionId: row.institutionId,
        payload: { delegationId: row.id, zone: row.zone, findings },
      });
      outcome = 'turned-lame';
    } catch (e) {
      // Another re-check (or a withdrawal) moved the zone first: record this run like any other.
      if (!(e instanceof ConflictError)) throw e;
      await db.transaction((tx) => recordCheck(tx, ctx, row.id, findings, blocking));
    }
  } else {
    await db.transaction(async (tx) => {
      await recordCheck(tx, ctx, row.id, findings, blocking);
      if (!lame && row.state === 'lame') {
        const after = await setDelegationState(tx, ctx, row.id, 'published', { only: 'lame' });
        if (after.state === 'published') outcome = 'recovered';
      }
    });
  }
  return outcome;
}

export interface RecheckSummary {
  checked: number;
  outcomes: Record<RecheckOutcome, number>;
  /** Zones whose check could not be applied (the error is logged). */
  errors: number;
}

/**
 * Re-checks every published zone, `concurrency` at a time (a fixed pool of workers pulling from
 * one list: never more in flight, never idle while zones remain).
 */
export async function recheckAll(
  db: Db,
  ctx: RequestContext,
  env: Env,
  opts: { concurrency: number; onError?: (zone: string, e: unknown) => void },
): Promise<RecheckSummary> {
  const rows = await db
    .select()
    .from(delegations)
    .where(eq(delegations.state, 'published'))
    .orderBy(delegations.zone);
  const summary: RecheckSummary = {
    checked: 0,
    outcomes: { ok: 0, failing: 0, 'turned-lame': 0, recovered: 0, 'not-checked': 0 },
    errors: 0,
  };
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const d = rows[next++] as DelegationRow;
      try {
        const outcome = await recheckRow(db, ctx, env, d);
        summary.outcomes[outcome]++;
        summary.checked++;
      } catch (e) {
        // Withdrawn meanwhile, or the database hiccuped: the next run takes the zone again.
        summary.errors++;
        opts.onError?.(d.zone, e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, rows.length)) }, worker));
  return summary;
}
