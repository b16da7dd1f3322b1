import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import { driftJob } from './drift.js';
import { releaseExpired } from './service/lifecycle.js';

/**
 * `ipam.release-expired`, every 10 minutes: ends due quarantines and expired reservations.
 * Idempotent: each row moves in its own transaction under its pool's lock, and a row already
 * moved is left as it is.
 */
export function releaseJob(database: Database): JobDefinition<Record<string, never>> {
  return defineJob<Record<string, never>>({
    name: 'ipam.release-expired',
    cron: '*/10 * * * *',
    cronData: {},
    handler: async (_data, ctx) => {
      const r = await releaseExpired(database.db, {
        ...systemContext('ipam'),
        requestId: ctx.requestContext.requestId,
      });
      if (r.freed || r.released) ctx.logger.info(r, 'ipam: quarantines ended, reservations released');
    },
  });
}

/** Every job of the ipam line, for the hosts' job lists. */
// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
export function jobs(database: Database): JobDefinition<any>[] {
  return [releaseJob(database), driftJob(database)];
}
