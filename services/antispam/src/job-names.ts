/** The antispam job names (jobs.ts defines them; services enqueue them by name). */
export const PUBLISH_JOB = 'antispam.publish';
export const RSPAMD_PUBLISH_JOB = 'antispam.publish-rspamd';
export const MX_POLL_JOB = 'antispam.poll-mx';
