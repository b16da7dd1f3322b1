import { newRequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import { domainsRuntime } from './runtime.js';
import { drainPoll } from './service/poll.js';

export const POLL_JOB = 'domains.poll';

/**
 * The registry's poll queue, drained every few minutes by the process that runs jobs, on its
 * one EPP session. Idempotent by construction (service/poll.ts): a run killed anywhere loses no
 * message and acts on none twice.
 */
export function domainsJobs(database: Database, opts: { pollCron?: string | null } = {}): JobDefinition<unknown>[] {
  const poll = defineJob<unknown>({
    name: POLL_JOB,
    ...(opts.pollCron === null ? {} : { cron: opts.pollCron ?? '*/5 * * * *', cronData: {} }),
    retryLimit: 2,
    handler: async (_data, job) => {
      const { registry } = domainsRuntime();
      if (!registry) return;
      const r = await drainPoll(database.db, job.requestContext ?? newRequestContext({ actor: { kind: 'system', name: 'domains' } }), registry);
      if (r.acked) job.logger.info({ stored: r.stored, acked: r.acked, acted: r.acted }, 'registry poll queue drained');
    },
  });
  return [poll];
}
