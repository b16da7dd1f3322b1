import { type Config, ConflictError, type RequestContext, systemContext } from '@guichet/core';
import { type Database, type Db, eq } from '@guichet/db';
import { defineJob, type JobDefinition, type JobRunner } from '@guichet/jobs';
import { fileRequest } from '@guichet/workflow';
import { RDNS_LAME, REPAIR_RETRY } from './lame.js';
import { syncParentZones } from './publication.js';
import { currentChecker, isLame, NO_CHECKER } from './runtime.js';
import { type DelegationRow, getDelegation, recordCheck, setDelegationState } from './service.js';
import { delegations } from './tables.js';

/**
 * Checking delegated zones again: one zone on the NOC's demand, every published zone on a
 * schedule. The check talks to the institution's servers outside any transaction; its outcome
 * is then applied under the delegation's row lock:
 * - published and lame (runtime.ts `isLame`: any error, or a server unreachable, lame or not
 *   authoritative even where the pre-delegation gate only warns) → an `rdns.lameDelegation` request is filed (its first step marks the
 *   zone lame; a racing re-check's filing is refused, so one zone opens one request);
 * - lame and no longer so → published again (the lame request's repair step completes next time);
 * - otherwise the run is recorded.
 */

// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
type AnyJob = JobDefinition<any>;

export type RecheckOutcome = 'ok' | 'failing' | 'turned-lame' | 'recovered' | 'not-checked';

/** Checks one live delegation now (the NOC's action) and applies the outcome. */
export async function recheckOne(
  db: Db,
  ctx: RequestContext,
  jobs: JobRunner | null,
  delegationId: string,
): Promise<{ delegation: DelegationRow; outcome: RecheckOutcome }> {
  const row = await getDelegation(db, delegationId);
  if (row.state === 'withdrawn' || row.state === 'returned')
    throw new ConflictError(`${row.zone} is ${row.state}: it is not in the parent zone`);
  const outcome = await recheckRow(db, ctx, jobs, row);
  return { delegation: await getDelegation(db, row.id), outcome };
}

/**
 * Checks `row` (as read before the check) and applies the outcome. Reads nothing back: the
 * scheduled run calls this for thousands of zones, and each statement saved counts there.
 */
async function recheckRow(
  db: Db,
  ctx: RequestContext,
  jobs: JobRunner | null,
  row: DelegationRow,
): Promise<RecheckOutcome> {
  const check = currentChecker();
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
      await fileRequest(db, systemContext('rdns', ctx.requestId), jobs, {
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
  jobs: JobRunner | null,
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
        const outcome = await recheckRow(db, ctx, jobs, d);
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

export const RECHECK_JOB = 'rdns.recheck';
export const SYNC_JOB = 'rdns.sync-parent-zones';

/**
 * The rdns jobs, for the hosts' job lists: `rdns.recheck` on RDNS_RECHECK_CRON, and
 * `rdns.sync-parent-zones` every minute (pushes parent zone versions the server lacks —
 * withdrawals, or a push that failed). `runner` is read when a job runs: the runner is built
 * from these very definitions.
 */
export function rdnsJobs(database: Database, config: Config, runner: () => JobRunner | null): AnyJob[] {
  REPAIR_RETRY.delaySeconds = config.RDNS_REPAIR_DELAY_SECONDS;
  return [
    defineJob<Record<string, never>>({
      name: RECHECK_JOB,
      cron: config.RDNS_RECHECK_CRON,
      cronData: {},
      handler: async (_data, job) => {
        const s = await recheckAll(database.db, job.requestContext, runner(), {
          concurrency: config.RDNS_RECHECK_CONCURRENCY,
          onError: (zone, err) => job.logger.warn({ zone, err }, 'rdns: re-check of a zone failed'),
        });
        job.logger.info(s, 'rdns: delegated zones checked again');
      },
    }),
    defineJob<Record<string, never>>({
      name: SYNC_JOB,
      cron: '* * * * *',
      cronData: {},
      handler: async (_data, job) => {
        const pushed = (await syncParentZones(database.db)).filter((p) => p.pushed);
        if (pushed.length) job.logger.info({ pushed }, 'rdns: parent zones pushed');
      },
    }),
  ];
}
