import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '@guichet/core';
import type { Database, Tx } from '@guichet/db';
import PgBoss from 'pg-boss';
import { type BossDb, databaseAdapter, type TrackedBossDb, txAdapter } from './adapter.js';
import { type Envelope, envelope, type JobDefinition } from './define.js';
import { withQueueSetupLock } from './setup-lock.js';
import { BOSS_SCHEMA, type JobInfo, readJob } from './state.js';
import { type Running, workCallback } from './work.js';

export interface JobRunnerOptions {
  // biome-ignore lint/suspicious/noExplicitAny: a list mixes payload types; each is checked by its own definition
  definitions: readonly JobDefinition<any>[];
  logger: Logger;
  /** Workers per queue, each running one job at a time (default 1). */
  concurrency?: number;
  /** How often an idle worker looks for a job (default 2 s, pg-boss's minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How long `stop()` waits for running handlers (default 30 s). */
  stopTimeoutSeconds?: number;
  /**
   * One five-field cron expression every cron job runs on instead of its own
   * (`JOBS_CRON_OVERRIDE`): for tests and demos that want to see each schedule run now rather
   * than at 04:00. Unset in production: each job keeps its own schedule.
   */
  cronOverride?: string;
}

export interface StartOptions {
  /**
   * Run handlers, maintenance and cron (default true). False for a process that only
   * enqueues — the api on a PostgreSQL server, where services/worker does the work.
   */
  work?: boolean;
}

export interface SendOptions {
  /** Seconds from now, or a moment. */
  startAfter?: number | Date;
  /** The HTTP request enqueuing the job: the handler's context carries it. */
  requestId?: string;
  /** Higher runs first (default 0). */
  priority?: number;
}

export interface JobRunner {
  start(opts?: StartOptions): Promise<void>;
  /** Stops fetching, waits for running handlers and their completion writes. */
  stop(): Promise<void>;
  /**
   * Enqueues on the runner's own connection (committed at once); returns the job id. Inside a
   * transaction use sendInTx: on PGlite, send() would wait for that transaction — a deadlock.
   */
  send<T>(job: JobDefinition<T> | string, data: T, opts?: SendOptions): Promise<string>;
  /** Enqueues inside the caller's transaction: the job exists only if that transaction commits. */
  sendInTx<T>(tx: Tx, job: JobDefinition<T> | string, data: T, opts?: SendOptions): Promise<string>;
  getJob(name: string, id: string): Promise<JobInfo | null>;
  /** Like getJob without the queue name (looks through every queue). */
  status(id: string): Promise<JobInfo | null>;
}

export function createJobRunner(database: Database, opts: JobRunnerOptions): JobRunner {
  const logger = opts.logger;
  const definitions = new Map(opts.definitions.map((d) => [d.name, d]));
  if (definitions.size !== opts.definitions.length) throw new Error('two job definitions share a name');
  const concurrency = opts.concurrency ?? 1;
  const pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 2;
  const stopTimeoutMs = (opts.stopTimeoutSeconds ?? 30) * 1000;

  let boss: PgBoss | undefined;
  let adapter: TrackedBossDb | undefined;
  let starting: Promise<void> | undefined;
  const running: Running = new Set();
  const workerIds = new Map<string, string[]>();

  function definition<T>(job: JobDefinition<T> | string): JobDefinition<T> {
    const def = definitions.get(typeof job === 'string' ? job : job.name);
    if (!def)
      throw new Error(
        `unknown job "${typeof job === 'string' ? job : job.name}": not in the runner's definitions`,
      );
    return def as JobDefinition<T>;
  }

  function started(): PgBoss {
    if (!boss || starting) throw new Error('the job runner is not started');
    return boss;
  }

  async function enqueue<T>(db: BossDb | undefined, job: JobDefinition<T> | string, data: T, o: SendOptions) {
    const def = definition(job);
    const payload = def.validate ? def.validate(data) : data;
    const body: Envelope = envelope(payload, o.requestId);
    const id = await started().send(def.name, body, {
      ...(o.startAfter !== undefined ? { startAfter: o.startAfter } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(db ? { db } : {}),
    });
    // Null only when the queue row is missing: start() creates every defined queue.
    if (!id) throw new Error(`job "${def.name}" was not enqueued: its queue does not exist`);
    return { def, id };
  }

  async function start(work: boolean): Promise<void> {
    adapter = databaseAdapter(database, (text) =>
      logger.warn({ sql: text.trim().slice(0, 80) }, 'database call after the job runner stopped: ignored'),
    );
    const hasCron = opts.definitions.some((d) => d.cron);
    boss = new PgBoss({
      db: adapter as PgBoss.Db,
      schema: BOSS_SCHEMA,
      migrate: true,
      // Maintenance (expiry of stuck jobs, archiving) and cron belong to the working process.
      supervise: work,
      schedule: work && hasCron,
      pollingIntervalSeconds,
    });
    // An EventEmitter without an 'error' listener throws: pg-boss reports polling errors here.
    boss.on('error', (err) => logger.error({ err }, 'job queue error'));
    const started = boss;
    // Several processes may start at once on a new database: one at a time (setup-lock.ts).
    await withQueueSetupLock(database, async () => {
      await started.start();
      // One read of every queue, then statements only for what differs: on a restart that is
      // none (two round trips per queue were a quarter of the embedded restart, issue #10).
      const existing = new Map((await started.getQueues()).map((q) => [q.name, q]));
      for (const def of definitions.values()) {
        const policy = {
          name: def.name,
          retryLimit: def.retryLimit,
          retryDelay: def.retryDelaySeconds,
          retryBackoff: def.retryBackoff,
          expireInSeconds: def.expireInSeconds,
        };
        const current = existing.get(def.name);
        if (current && samePolicy(current, policy)) continue;
        // createQueue keeps an existing queue as it is; update applies today's policy.
        if (!current) await started.createQueue(def.name, policy);
        await started.updateQueue(def.name, policy);
      }
    });
    if (!work) return;
    // As for the queues: one read, then a statement only where the schedule row differs.
    const schedules = new Map((await boss.getSchedules()).map((row) => [row.name, row]));
    for (const def of definitions.values()) {
      const ids: string[] = [];
      for (let i = 0; i < (def.concurrency ?? concurrency); i++) {
        const options = { includeMetadata: true as const, batchSize: 1, pollingIntervalSeconds };
        // pg-boss waits a polling interval after every fetch, even one that found a job: a
        // worker then runs at most one job per interval (30 a minute at 2 s) however long the
        // queue. Woken after each job, it fetches the next at once; the interval is only
        // for an idle queue.
        let id = '';
        const again = () => {
          if (id) boss?.notifyWorker(id);
        };
        id = await boss.work<Envelope>(def.name, options, workCallback(def, logger, running, again));
        ids.push(id);
      }
      workerIds.set(def.name, ids);
      const cron = def.cron && (opts.cronOverride ?? def.cron);
      const row = schedules.get(def.name);
      if (cron) {
        const data = envelope(def.cronData ?? {});
        const options = { tz: 'UTC' };
        const same =
          row?.cron === cron &&
          // `SELECT *`: the row has its timezone, which pg-boss's type leaves out.
          (row as { timezone?: string }).timezone === 'UTC' &&
          isDeepStrictEqual(row.data, data) &&
          isDeepStrictEqual(row.options, options);
        if (!same) await boss.schedule(def.name, cron, data, options);
      }
      // A job that lost its cron must not keep being enqueued by the schedule row left behind.
      else if (row) await boss.unschedule(def.name);
    }
    logger.info({ queues: [...definitions.keys()], concurrency }, 'job workers started');
  }

  /** Waits for handlers and in-flight statements, re-checking after each turn of the loop:
   * a fetch that was in flight may just have started a handler, a handler that just ended
   * is about to write its completion. */
  async function settle(deadline: number): Promise<boolean> {
    const busy = () => running.size > 0 || (adapter?.pending ?? 0) > 0;
    while (busy()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const all = Promise.allSettled([...running, adapter?.drain()]);
      await Promise.race([all, sleep(left, undefined, { ref: false })]);
      await nextTurn();
    }
    return true;
  }

  return {
    async start(o = {}) {
      if (starting) return starting;
      if (boss) return;
      starting = start(o.work ?? true)
        .catch(async (err) => {
          await boss?.stop({ graceful: false, close: false }).catch(() => {});
          boss = undefined;
          throw err;
        })
        .finally(() => {
          starting = undefined;
        });
      return starting;
    },

    async stop() {
      await starting?.catch(() => {});
      const b = boss;
      if (!b) return;
      const deadline = Date.now() + stopTimeoutMs;
      try {
        // Graceful: pg-boss stops fetching, waits for its active jobs, then fails those still
        // active at the timeout so that another worker retries them.
        await b.stop({ graceful: true, wait: true, close: false, timeout: stopTimeoutMs });
        if (!(await settle(deadline))) {
          logger.warn({ running: running.size }, 'job runner stopped with handlers still running');
        }
      } finally {
        adapter?.close();
        boss = undefined;
        workerIds.clear();
      }
    },

    async send(job, data, o = {}) {
      const { def, id } = await enqueue(undefined, job, data, o);
      // In-process workers would otherwise wait for their next poll.
      for (const w of workerIds.get(def.name) ?? []) boss?.notifyWorker(w);
      return id;
    },

    async sendInTx(tx, job, data, o = {}) {
      return (await enqueue(txAdapter(tx), job, data, o)).id;
    },

    getJob: (name, id) => readJob(database, id, name),
    status: (id) => readJob(database, id),
  };
}

/**
 * Whether updateQueue would change nothing: it keeps every field given as undefined
 * (COALESCE), and sets the policy to `standard` when none is given.
 */
function samePolicy(current: PgBoss.QueueResult, want: Omit<PgBoss.Queue, 'name'>): boolean {
  return (
    current.policy === 'standard' &&
    (want.retryLimit === undefined || want.retryLimit === current.retryLimit) &&
    (want.retryDelay === undefined || want.retryDelay === current.retryDelay) &&
    (want.retryBackoff === undefined || want.retryBackoff === current.retryBackoff) &&
    (want.expireInSeconds === undefined || want.expireInSeconds === current.expireInSeconds)
  );
}
