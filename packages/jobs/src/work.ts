import { type Logger, systemContext } from '@guichet/core';
import type PgBoss from 'pg-boss';
import type { Envelope, JobDefinition } from './define.js';
import { type CompletionRecord, lastError } from './state.js';

/** The handlers running right now, so that `stop()` can wait for them. */
export type Running = Set<Promise<unknown>>;

/**
 * The callback given to pg-boss's `work()` (batches of one job, fetched with metadata so
 * that the retry count and the previous failure are known). What it returns becomes the
 * job's output; what it throws becomes the job's output too, and a retry or a failure.
 */
export function workCallback<T>(
  def: JobDefinition<T>,
  logger: Logger,
  running: Running,
  /** Called once the job is done, to look for the next one without waiting. */
  done: () => void = () => {},
) {
  return async (jobs: PgBoss.JobWithMetadata<Envelope>[]): Promise<CompletionRecord> => {
    const job = jobs[0];
    if (!job || jobs.length !== 1) throw new Error(`expected one job per fetch, got ${jobs.length}`);
    const run = runOne(def, logger, job);
    running.add(run);
    try {
      return await run;
    } finally {
      running.delete(run);
      done();
    }
  };
}

async function runOne<T>(
  def: JobDefinition<T>,
  logger: Logger,
  job: PgBoss.JobWithMetadata<Envelope>,
): Promise<CompletionRecord> {
  const attempt = job.retryCount + 1;
  const isLastAttempt = job.retryCount >= job.retryLimit;
  const requestId = job.data?.requestId ?? job.id;
  const log = logger.child({ job: def.name, jobId: job.id, attempt, requestId });
  const started = Date.now();
  log.debug('job started');
  try {
    const raw = job.data?.payload;
    const data = def.validate ? def.validate(raw) : (raw as T);
    await def.handler(data, {
      jobId: job.id,
      attempt,
      isLastAttempt,
      requestContext: systemContext(`job:${def.name}`, requestId),
      logger: log,
    });
  } catch (err) {
    const ms = Date.now() - started;
    if (isLastAttempt) log.error({ err, ms }, 'job failed, no retry left');
    else log.warn({ err, ms, retriesLeft: job.retryLimit - job.retryCount }, 'job failed, will retry');
    // pg-boss serialises what is thrown; a non-Error would lose its message.
    throw err instanceof Error ? err : new Error(String(err));
  }
  log.info({ ms: Date.now() - started }, 'job completed');
  // Completion overwrites the output column, where the previous failure was: carry it over
  // so an operator still sees why the first attempts failed.
  return { attempts: attempt, lastError: attempt > 1 ? lastError(job.output) : null };
}
