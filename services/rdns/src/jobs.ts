import { systemContext } from '@guichet/core';
import { defineJob } from '@guichet/jobs';
import type { AnyJob, Env } from '@guichet/workflow';
import { syncParentZones } from './service/publication.js';
import { recheckAll } from './service/recheck.js';

export const RECHECK_JOB = 'rdns.recheck';
export const SYNC_JOB = 'rdns.sync-parent-zones';

/**
 * The rdns jobs: `rdns.recheck` on RDNS_RECHECK_CRON (every published zone checked again), and
 * `rdns.sync-parent-zones` every minute (renders parent zones whose delegations changed —
 * withdrawals — and pushes versions the server lacks, such as a push that failed).
 */
export function rdnsJobs(env: Env): AnyJob[] {
  const { config } = env.line('rdns');
  return [
    defineJob<Record<string, never>>({
      name: RECHECK_JOB,
      cron: config.RDNS_RECHECK_CRON,
      cronData: {},
      handler: async (_data, job) => {
        const s = await recheckAll(env.database.db, job.requestContext, env, {
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
        const ctx = { ...systemContext('rdns'), requestId: job.requestContext.requestId };
        const pushed = (await syncParentZones(env.database.db, ctx, env.line('rdns').publisher)).filter(
          (p) => p.pushed,
        );
        if (pushed.length) job.logger.info({ pushed }, 'rdns: parent zones pushed');
      },
    }),
  ];
}
