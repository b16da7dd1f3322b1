/** The eduroam job names (jobs.ts defines them; services enqueue them by name). */
export const PUBLISH_JOB = 'eduroam.publish-proxy';
export const PROBE_SERVER_JOB = 'eduroam.probe-server';
export const PROBE_ROUND_JOB = 'eduroam.probe-round';
export const PURGE_JOB = 'eduroam.purge-probes';
