/** The antispam job names (jobs.ts defines them; services enqueue them by name). */
export const PUBLISH_JOB = 'antispam.publish';
