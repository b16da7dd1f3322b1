import { defineJob, type JobDefinition } from '@guichet/jobs';
import type { Env } from '@guichet/workflow';
import { drainPoll } from './service/poll.js';

export const POLL_JOB = 'domains.poll';

/**
 * The registry's poll queue, drained on DOMAINS_POLL_CRON by the process that runs jobs, on its
 * one EPP session. Idempotent by construction (service/poll.ts): a run killed anywhere loses no
 * message and acts on none twice.
 */
export function domainsJobs(env: Env): JobDefinition<unknown>[] {
  const rt = env.line('domains');
  return [
    defineJob<unknown>({
      name: POLL_JOB,
      cron: rt.config.DOMAINS_POLL_CRON,
      cronData: {},
      retryLimit: 2,
      handler: async (_data, job) => {
        const { registry } = env.line('domains');
        if (!registry) return;
        const r = await drainPoll(env.database.db, job.requestContext, registry);
        if (r.acked)
          job.logger.info(
            { stored: r.stored, acked: r.acked, acted: r.acted },
            'registry poll queue drained',
          );
      },
    }),
  ];
}
