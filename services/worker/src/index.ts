import { type ComposedConfig, composeEnv } from '@guichet/compose';
import { ConfigError, createLogger, type Logger } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import type { AnyLine, ComposedEnv } from '@guichet/workflow';

export interface Worker {
  runner: JobRunner;
  database: Database;
  env: ComposedEnv;
  /** Waits for running handlers, then closes the database. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  logger?: Logger;
  /** Handlers of one queue running at once (default 1). */
  concurrency?: number;
  /** The lines to compose (default: the composition list, as the api). */
  lines?: readonly AnyLine[];
}

/**
 * Runs the job handlers against the PostgreSQL server: every job of the platform and of the
 * composed lines — the very list the api composes, so a job enqueued by one process runs in the
 * other. There is no worker for the embedded engine: PGlite lives inside one process, so there
 * the api runs its jobs itself.
 */
export async function startWorker(config: ComposedConfig, opts: WorkerOptions = {}): Promise<Worker> {
  if (!config.core.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is not set: the worker needs a PostgreSQL server. With the embedded database ' +
        '(no DATABASE_URL) the api runs the jobs itself, and no worker is needed.',
    );
  }
  const logger = opts.logger ?? createLogger(config.core.LOG_LEVEL, { component: 'worker' });
  // Migrates too (under an advisory lock), so the worker may start before the api.
  const database = await openDatabase({ url: config.core.DATABASE_URL });
  const env = composeEnv({ database, config, logger, ...(opts.lines ? { lines: opts.lines } : {}) });
  const runner = createJobRunner(database, {
    definitions: env.jobDefinitions(),
    logger,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  env.attachJobs(runner);
  try {
    await runner.start({ work: true });
  } catch (err) {
    await database.close();
    throw err;
  }
  return {
    runner,
    database,
    env,
    async stop() {
      try {
        await runner.stop();
      } finally {
        await database.close();
      }
    },
  };
}
