import { systemContext } from '@guichet/core';
import { defineJob } from '@guichet/jobs';
import type { AnyJob, Env } from '@guichet/workflow';
import { z } from 'zod';
import { syncCollector, syncCollectors } from './service/configs.js';
import { SYNC_COLLECTOR_JOB } from './service/withdraw.js';

const one = z.object({ collectorId: z.uuid() });

/**
 * `routing.sync-collector` (one collector, after a withdrawal) and `routing.sync-collectors`
 * (every minute: collectors whose announcements changed, or whose latest valid version is not
 * deployed yet — a push that failed). Both idempotent: an unchanged text is neither stored
 * again nor pushed again.
 */
export function routingJobs(env: Env): AnyJob[] {
  const ctxOf = (requestId?: string) => ({
    ...systemContext('routing'),
    ...(requestId ? { requestId } : {}),
  });
  return [
    defineJob<{ collectorId: string }>({
      name: SYNC_COLLECTOR_JOB,
      validate: (d) => one.parse(d),
      handler: async ({ collectorId }, job) => {
        const r = await syncCollector(
          env.database.db,
          ctxOf(job.requestContext.requestId),
          env.line('routing').limits,
          collectorId,
          null,
        );
        job.logger.info(r, 'routing: collector configuration synced');
      },
    }),
    defineJob<Record<string, never>>({
      name: 'routing.sync-collectors',
      cron: '* * * * *',
      cronData: {},
      handler: async (_d, job) => {
        const done = await syncCollectors(
          env.database.db,
          ctxOf(job.requestContext.requestId),
          env.line('routing').limits,
        );
        if (done.length) job.logger.info({ done }, 'routing: collector configurations synced');
      },
    }),
  ];
}
