import { openDatabase } from '@guichet/db';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freshStore, type Store } from './harness.js';
import { type ScriptProcess, startScript } from './scripts.js';

// Every schedule runs in the real process that runs jobs on each engine: `pnpm worker` beside a
// PostgreSQL server, the api itself (`pnpm start`) on the embedded engine. JOBS_CRON_OVERRIDE
// puts every cron job on `* * * * *` (the production schedules are daily or every 10 minutes);
// pg-boss's own cron monitor (every 30 s) is left as it is. Then one SIGTERM stops the process:
// on PostgreSQL sent to the whole process group as a supervisor does (pnpm relays it too, so
// the worker receives it twice), on PGlite sent to pnpm alone. Either way everything stops,
// gracefully, and nothing of the group is left.

/** The schedules of every composed line; the process must register exactly these (a new one joins the list). */
const SCHEDULES = [
  'antispam.poll-mx',
  'domains.poll',
  'eduroam.probe-round',
  'eduroam.publish-proxy',
  'eduroam.purge-probes',
  'ipam.drift-report',
  'ipam.release-expired',
  'rdns.recheck',
  'rdns.sync-parent-zones',
  'routing.sync-collectors',
  'workflow.purge-idempotency-keys',
  'workflow.sweep-notifications',
];

const engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
let store: Store | undefined;
let proc: ScriptProcess | undefined;

afterAll(async () => {
  if (proc) await proc.stop('group', 5000).catch(() => {});
  await store?.drop();
}, 60_000);

interface JobRow {
  name: string;
  state: string;
}

async function jobTable(s: Store): Promise<{ jobs: JobRow[]; schedules: string[] }> {
  const jobsSql = `SELECT name, state FROM pgboss.job WHERE name = ANY($1::text[]) ORDER BY name, state`;
  const schedulesSql = 'SELECT name FROM pgboss.schedule ORDER BY name';
  if (s.engine === 'postgres') {
    const client = postgres(s.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const jobs = (await client.unsafe(jobsSql, [SCHEDULES])) as unknown as JobRow[];
      const schedules = (await client.unsafe(schedulesSql)) as unknown as { name: string }[];
      return { jobs: [...jobs], schedules: schedules.map((r) => r.name) };
    } finally {
      await client.end();
    }
  }
  // The embedded database belongs to the api while it runs: read it once the api has stopped.
  const database = await openDatabase({ dataDir: `${s.env.DATA_DIR}/pglite`, migrate: false });
  try {
    const jobs = await database.query<JobRow>(jobsSql, [SCHEDULES]);
    const schedules = await database.query<{ name: string }>(schedulesSql);
    return { jobs, schedules: schedules.map((r) => r.name) };
  } finally {
    await database.close();
  }
}

describe(`scheduled jobs in the ${engine === 'postgres' ? 'worker' : 'api'} process (${engine})`, () => {
  it('runs every schedule, records it in the job table, and stops on one signal', async () => {
    store = await freshStore();
    const env: Record<string, string> =
      store.engine === 'postgres'
        ? { DATABASE_URL: store.env.DATABASE_URL!, JOBS_CRON_OVERRIDE: '* * * * *' }
        : { DATA_DIR: store.env.DATA_DIR!, JOBS_CRON_OVERRIDE: '* * * * *' };
    proc = startScript(store.engine === 'postgres' ? 'worker' : 'start', env);
    for (const name of SCHEDULES) {
      await proc.waitForLog((l) => l.msg === 'job completed' && l.job === name, 150_000, `${name} completed`);
    }
    const logs = proc.logLines();
    expect(logs.filter((l) => l.msg === 'job queue error')).toEqual([]);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);

    const stopped = await proc.stop(store.engine === 'postgres' ? 'group' : 'process');
    const after = proc.logLines();
    proc = undefined;
    expect(stopped.clean).toBe(true);
    expect(after.filter((l) => /second signal/.test(l.msg ?? ''))).toEqual([]);
    expect(after.filter((l) => /^stopping/.test(l.msg ?? ''))).toHaveLength(1);
    if (store.engine === 'postgres') expect(after.some((l) => l.msg === 'stopped')).toBe(true);

    const { jobs, schedules } = await jobTable(store);
    expect(schedules).toEqual(SCHEDULES);
    for (const name of SCHEDULES) {
      expect(jobs.filter((j) => j.name === name && j.state === 'completed').length, name).toBeGreaterThan(0);
    }
    expect(jobs.filter((j) => j.state === 'failed')).toEqual([]);
  }, 300_000);
});
