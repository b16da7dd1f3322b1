import { systemContext } from '@guichet/core';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import type { Env } from '@guichet/workflow';
import { driftJob } from './drift.js';
import { releaseExpired } from './service/lifecycle.js';

/**
 * `ipam.release-expired`, every 10 minutes: ends due quarantines and expired reservations.
 * Idempotent: each row moves in its own transaction under its pool's lock, and a row already
 * moved is left as it is.
 */
export function releaseJob(env: Env): JobDefinition<Record<string, never>> {
  return defineJob<Record<string, never>>({
    name: 'ipam.release-expired',
    cron: '*/10 * * * *',
    cronData: {},
    handler: async (_data, ctx) => {
      const r = await releaseExpired(env.database.db, {
        ...systemContext('ipam'),
        requestId: ctx.requestContext.requestId,
      });
      if (r.freed || r.released) ctx.logger.info(r, 'ipam: quarantines ended, reservations released');
    },
  });
}

/** Every job of the ipam line. */
// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
export function ipamJobs(env: Env): JobDefinition<any>[] {
  return [releaseJob(env), driftJob(env)];
}
