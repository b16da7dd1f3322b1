import type { Database } from '@guichet/db';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import { purgeExpiredKeys } from './store.js';

export const PURGE_IDEMPOTENCY_KEYS = 'workflow.purge-idempotency-keys';

/** Hourly: expired keys are only dead weight (an expired key is free again anyway). */
export function purgeIdempotencyJob(database: Database): JobDefinition<Record<string, never>> {
  return defineJob<Record<string, never>>({
    name: PURGE_IDEMPOTENCY_KEYS,
    cron: '17 * * * *',
    cronData: {},
    retryLimit: 0,
    expireInSeconds: 10 * 60,
    handler: async (_d, job) => {
      const n = await purgeExpiredKeys(database.db, new Date());
      if (n) job.logger.info({ purged: n }, 'expired idempotency keys purged');
    },
  });
}
