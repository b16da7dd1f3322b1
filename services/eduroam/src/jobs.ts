import type { Database } from '@guichet/db';
import { defineJob, type JobDefinition, type JobRunner } from '@guichet/jobs';
import { z } from 'zod';
import type { EduroamRuntime } from './config.js';
import { probeRound, purgeProbes } from './service/probes.js';
import { publishProxy } from './service/proxy.js';
import type { FollowUps } from './service/servers.js';

/**
 * The eduroam jobs: the proxy publication (on demand after every change, and every minute to
 * catch anything missed — it renders, compares hashes and does nothing when the proxy is
 * current), the probe round (every minute, probing servers due after
 * EDUROAM_PROBE_INTERVAL_SECONDS), a one-server probe (right after a declaration or a rotation:
 * the first green probe does not wait for the round) and the daily purge of old probe rows.
 * Every handler is idempotent.
 */

export const PUBLISH_JOB = 'eduroam.publish-proxy';
export const PROBE_SERVER_JOB = 'eduroam.probe-server';
export const PROBE_ROUND_JOB = 'eduroam.probe-round';
export const PURGE_JOB = 'eduroam.purge-probes';

/** The follow-up jobs services enqueue (declarations, rotations, removals). */
export const followUps = (jobs: JobRunner | null): FollowUps => ({
  jobs,
  publish: PUBLISH_JOB,
  probe: PROBE_SERVER_JOB,
});

// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
type AnyJob = JobDefinition<any>;

export function eduroamJobs(
  database: Database,
  rt: EduroamRuntime,
  runner: () => JobRunner | null,
): AnyJob[] {
  return [
    defineJob<Record<string, never>>({
      name: PUBLISH_JOB,
      cron: '* * * * *',
      cronData: {},
      retryLimit: 3,
      handler: async (_d, job) => {
        const out = await publishProxy(database.db, rt, job.requestContext);
        if (out.status !== 'unchanged' && out.status !== 'not-configured') {
          job.logger.info({ status: out.status, hash: out.hash }, 'eduroam: proxy publication');
        }
      },
    }),
    defineJob<{ serverId: string }>({
      name: PROBE_SERVER_JOB,
      validate: (d) => z.object({ serverId: z.uuid() }).parse(d),
      retryLimit: 0,
      handler: async (d, job) => {
        await probeRound(database.db, rt, job.requestContext, runner(), {
          serverIds: [d.serverId],
          due: false,
          follow: followUps(runner()),
        });
      },
    }),
    defineJob<Record<string, never>>({
      name: PROBE_ROUND_JOB,
      cron: '* * * * *',
      cronData: {},
      retryLimit: 0,
      handler: async (_d, job) => {
        const s = await probeRound(database.db, rt, job.requestContext, runner(), {
          follow: followUps(runner()),
        });
        if (s.probed) job.logger.info(s, 'eduroam: probe round');
      },
    }),
    defineJob<Record<string, never>>({
      name: PURGE_JOB,
      cron: '17 3 * * *',
      cronData: {},
      handler: async (_d, job) => {
        const n = await purgeProbes(database.db, rt, job.requestContext.clock.now());
        if (n) job.logger.info({ purged: n }, 'eduroam: old probe results purged');
      },
    }),
  ];
}
