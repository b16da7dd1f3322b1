import { NotFoundError, type RequestContext, systemContext, ValidationError } from '@guichet/core';
import { and, type Database, eq, sql } from '@guichet/db';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import type { Env } from '@guichet/workflow';
import type { RipeSettings } from './config.js';
import { registrationObject } from './register.js';
import { type DriftReport, driftReport, isInSync } from './rpsl/drift.js';
import { primaryKey, type RpslObject } from './rpsl/model.js';
import type { RipeClient } from './rpsl/ripe-client.js';
import { assignments, ripeDriftReports } from './tables.js';

/**
 * What Guichet holds (active assignments, as the objects `register` writes) vs what the RIPE
 * database returns for each key (GET ?unfiltered; absent = missing remotely). Compared with
 * `driftReport`. Only held keys are read, so `extraRemotely` stays empty: finding objects
 * RIPE has and Guichet does not needs a search of the allocation, left to a later step.
 */

export interface RipeDrift extends DriftReport {
  scope: string;
  checkedAt: Date;
  held: number;
  inSync: boolean;
}

const PARALLEL = 8;

export async function ripeDriftReport(
  database: Database,
  client: RipeClient,
  settings: RipeSettings | null,
  opts: { poolId?: string; ctx?: RequestContext } = {},
): Promise<RipeDrift> {
  if (!settings) throw new Error('RIPE database not configured');
  if (opts.poolId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(opts.poolId)) {
    throw ValidationError.field(['poolId'], 'not a pool id');
  }
  const rows = await database.db
    .select()
    .from(assignments)
    .where(
      and(eq(assignments.lifecycle, 'active'), opts.poolId ? eq(assignments.poolId, opts.poolId) : sql`true`),
    )
    .orderBy(assignments.prefix);
  const held = rows.map((a) => registrationObject(a, settings));
  const remote: RpslObject[] = [];
  for (let i = 0; i < held.length; i += PARALLEL) {
    const got = await Promise.all(
      held.slice(i, i + PARALLEL).map((h) =>
        client.get(h.type, primaryKey(h)).catch((e: unknown) => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }),
      ),
    );
    for (const g of got) if (g) remote.push(g);
  }
  const report = driftReport(held, remote);
  return {
    ...report,
    scope: opts.poolId ?? 'all',
    checkedAt: opts.ctx?.clock.now() ?? new Date(),
    held: held.length,
    inSync: isInSync(report),
  };
}

/** Keeps the report as the last one of its scope (one row per scope, overwritten). */
export async function storeDriftReport(database: Database, r: RipeDrift): Promise<void> {
  const report = JSON.parse(
    JSON.stringify({
      missingRemotely: r.missingRemotely,
      extraRemotely: r.extraRemotely,
      differing: r.differing,
    }),
  );
  const row = { scope: r.scope, checkedAt: r.checkedAt, inSync: r.inSync, held: r.held, report };
  await database.db
    .insert(ripeDriftReports)
    .values(row)
    .onConflictDoUpdate({ target: ripeDriftReports.scope, set: row });
}

/** The last stored report of a scope (`all` or a pool id). */
export async function lastDriftReport(database: Database, scope = 'all') {
  const [row] = await database.db.select().from(ripeDriftReports).where(eq(ripeDriftReports.scope, scope));
  return row;
}

/**
 * `ipam.drift-report`, daily at 04:17 UTC: the whole report, stored as the last one.
 * Idempotent: it only reads RIPE and overwrites its own row. Not configured: nothing to do.
 */
export function driftJob(env: Env): JobDefinition<Record<string, never>> {
  const { database } = env;
  return defineJob<Record<string, never>>({
    name: 'ipam.drift-report',
    cron: '17 4 * * *',
    cronData: {},
    handler: async (_data, job) => {
      const client = env.line('ipam').ripe;
      if (!client) {
        job.logger.info({}, 'ipam: RIPE database not configured, no drift report');
        return;
      }
      const ctx = { ...systemContext('ipam'), requestId: job.requestContext.requestId };
      const r = await ripeDriftReport(database, client, env.line('ipam').ripeSettings, { ctx });
      await storeDriftReport(database, r);
      job.logger.info(
        { held: r.held, missing: r.missingRemotely.length, differing: r.differing.length },
        r.inSync ? 'ipam: RIPE database in sync' : 'ipam: RIPE database drift',
      );
    },
  });
}
