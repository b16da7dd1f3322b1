import { type Config, ConfigError, createLogger, type Logger } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { type AnyJob, bindJobs } from './jobs.js';

export { type AnyJob, bindJobs, jobDefinitions } from './jobs.js';

export interface Worker {
  runner: JobRunner;
  database: Database;
  /** Waits for running handlers, then closes the database. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  logger?: Logger;
  /** Handlers of one queue running at once (default 1). */
  concurrency?: number;
}

/**
 * Runs the job handlers against the PostgreSQL server. There is no worker for the embedded
 * engine: PGlite lives inside one process, so there the api runs its jobs itself.
 */
export async function startWorker(
  config: Config,
  /** The jobs to run; a function when the handlers need the database the worker opens. */
  jobs: readonly AnyJob[] | ((database: Database) => readonly AnyJob[]),
  opts: WorkerOptions = {},
): Promise<Worker> {
  if (!config.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is not set: the worker needs a PostgreSQL server. With the embedded database ' +
        '(no DATABASE_URL) the api runs the jobs itself, and no worker is needed.',
    );
  }
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL, { component: 'worker' });
  // Migrates too (under an advisory lock), so the worker may start before the api.
  // No statement timeout here: jobs (re-checks, drift reports) may legitimately run long.
  const database = await openDatabase({
    url: config.DATABASE_URL,
    connectTimeoutSeconds: config.DATABASE_CONNECT_TIMEOUT_SECONDS,
  });
  const definitions = typeof jobs === 'function' ? jobs(database) : jobs;
  const runner = createJobRunner(database, {
    definitions,
    logger,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  bindJobs(database, runner);
  try {
    await runner.start({ work: true });
  } catch (err) {
    await database.close();
    throw err;
  }
  if (definitions.length === 0) logger.warn('no job definitions: the worker only runs queue maintenance');
  return {
    runner,
    database,
    async stop() {
      try {
        await runner.stop();
      } finally {
        await database.close();
      }
    },
  };
}
