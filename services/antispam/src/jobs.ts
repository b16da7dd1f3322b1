import { defineJob } from '@guichet/jobs';
import type { AnyJob, Env } from '@guichet/workflow';
import { MX_POLL_JOB, PUBLISH_JOB, RSPAMD_PUBLISH_JOB } from './job-names.js';
import { pollMx } from './service/cutover.js';
import { publishPlatform } from './service/publication.js';
import { publishRspamd } from './service/rspamd-publication.js';

export { MX_POLL_JOB, PUBLISH_JOB, RSPAMD_PUBLISH_JOB };

/**
 * The antispam jobs: an on-demand republication of the gateway's maps (after a manual change on
 * the gateway, or to retry a refused release). Idempotent: an unchanged platform is a no-op.
 * The MX cut-over poll runs every 10 minutes.
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
    defineJob<Record<string, never>>({
      name: MX_POLL_JOB,
      cron: '*/10 * * * *',
      cronData: {},
      retryLimit: 1,
      handler: async (_d, job) => {
        const out = await pollMx(env, job.requestContext);
        if (out.activated.length) job.logger.info({ activated: out.activated }, 'antispam: MX cut over');
      },
    }),
  ];
}
