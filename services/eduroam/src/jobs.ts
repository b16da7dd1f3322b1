import { defineJob } from '@guichet/jobs';
import type { AnyJob, Env } from '@guichet/workflow';
import { z } from 'zod';
import { PROBE_ROUND_JOB, PROBE_SERVER_JOB, PUBLISH_JOB, PURGE_JOB } from './job-names.js';
import { probeRound, purgeProbes } from './service/probes.js';
import { publishProxy } from './service/proxy.js';

export { PROBE_ROUND_JOB, PROBE_SERVER_JOB, PUBLISH_JOB, PURGE_JOB };

/**
 * The eduroam jobs: the proxy publication (on demand after every change, and every minute to
 * catch anything missed — it renders, compares hashes and does nothing when the proxy is
 * current), the probe round (every minute, probing servers due after
 * EDUROAM_PROBE_INTERVAL_SECONDS), a one-server probe (right after a declaration or a rotation:
 * the first green probe does not wait for the round) and the daily purge of old probe rows.
 * Every handler is idempotent.
 */
export function eduroamJobs(env: Env): AnyJob[] {
  return [
    defineJob<Record<string, never>>({
      name: PUBLISH_JOB,
      cron: '* * * * *',
      cronData: {},
      retryLimit: 3,
      handler: async (_d, job) => {
        const out = await publishProxy(env.database.db, env.line('eduroam'), job.requestContext);
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
        await probeRound(env, job.requestContext, { serverIds: [d.serverId], due: false });
      },
    }),
    defineJob<Record<string, never>>({
      name: PROBE_ROUND_JOB,
      cron: '* * * * *',
      cronData: {},
      retryLimit: 0,
      handler: async (_d, job) => {
        const s = await probeRound(env, job.requestContext);
        if (s.probed) job.logger.info(s, 'eduroam: probe round');
      },
    }),
    defineJob<Record<string, never>>({
      name: PURGE_JOB,
      cron: '17 3 * * *',
      cronData: {},
      handler: async (_d, job) => {
        const n = await purgeProbes(env.database.db, env.line('eduroam'), job.requestContext.clock.now());
        if (n) job.logger.info({ purged: n }, 'eduroam: old probe results purged');
      },
    }),
  ];
}
