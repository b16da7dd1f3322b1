import { defineJob } from '@guichet/jobs';
import type { AnyJob, Env } from '@guichet/workflow';
import { PUBLISH_JOB, RSPAMD_PUBLISH_JOB } from './job-names.js';
import { publishPlatform } from './service/publication.js';
import { publishRspamd } from './service/rspamd-publication.js';

export { PUBLISH_JOB, RSPAMD_PUBLISH_JOB };

/**
 * The antispam jobs: an on-demand republication of the gateway's maps (after a manual change on
 * the gateway, or to retry a refused release). Idempotent: an unchanged platform is a no-op.
 * No cron job yet (the MX cut-over poll would be one).
 */
export function antispamJobs(env: Env): AnyJob[] {
  return [
    defineJob<Record<string, never>>({
      name: PUBLISH_JOB,
      retryLimit: 3,
      handler: async (_d, job) => {
        const out = await publishPlatform(env, job.requestContext);
        if (out.status !== 'unchanged')
          job.logger.info({ status: out.status, hash: out.hash }, 'antispam: publication');
        if (out.status === 'refused')
          throw new Error(`postfix check refused the release: ${out.errors.join('; ')}`);
      },
    }),
    defineJob<Record<string, never>>({
      name: RSPAMD_PUBLISH_JOB,
      retryLimit: 3,
      // Each run renders everything stored: one at a time, so the last swap carries the last change.
      concurrency: 1,
      handler: async (_d, job) => {
        const out = await publishRspamd(env, job.requestContext);
        if (out.status !== 'unchanged')
          job.logger.info({ status: out.status, hash: out.hash }, 'antispam: rspamd publication');
        if (out.status === 'refused')
          throw new Error(`rspamadm configtest refused the release: ${out.errors.join('; ')}`);
      },
    }),
  ];
}
