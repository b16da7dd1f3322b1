import type { Logger, RequestContext } from '@guichet/core';

/** What a handler learns about the run it serves. */
export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry… */
  attempt: number;
  /** True when a failure now ends the job as `failed`: the handler may record that outcome. */
  isLastAttempt: boolean;
  /** A system actor named after the job, with the request id of whoever enqueued it. */
  requestContext: RequestContext;
  logger: Logger;
}

/**
 * A background task. Handlers MUST be idempotent: a job runs at least once, not exactly
 * once — a retry follows any failure, and a crash after the handler's side effect but before
 * the completion is written runs it again. Check the current state first (is the zone already
 * delegated? is the request still waiting for this step?) and make writes conditional.
 */
export interface JobDefinition<T = unknown> {
  /** Queue name, `<service>.<task>` (`rdns.check-delegation`). */
  readonly name: string;
  /** Checks and narrows a payload; throws on a bad one. Runs at send and before the handler. */
  readonly validate?: (data: unknown) => T;
  readonly handler: (data: T, ctx: JobContext) => Promise<void>;
  /** Retries after the first attempt (default 5). */
  readonly retryLimit: number;
  /** Delay before a retry (default 10 s); with backoff it doubles per attempt, with jitter. */
  readonly retryDelaySeconds: number;
  readonly retryBackoff: boolean;
  /** A run longer than this is failed, then retried (default 15 min). */
  readonly expireInSeconds: number;
  /** Five-field cron expression, in UTC: the runner enqueues the job on that schedule. */
  readonly cron?: string;
  /** Payload of the jobs the cron schedule enqueues. */
  readonly cronData?: T;
  /**
   * Handlers of this queue running at once in one process (default: the runner's concurrency).
   * For I/O-bound work such as sending mail; the handler must then tolerate a sibling.
   */
  readonly concurrency?: number;
}

export type JobDefinitionInput<T> = Pick<
  JobDefinition<T>,
  'name' | 'handler' | 'validate' | 'cron' | 'cronData' | 'concurrency'
> &
  Partial<Pick<JobDefinition<T>, 'retryLimit' | 'retryDelaySeconds' | 'retryBackoff' | 'expireInSeconds'>>;

// Dots separate the service from the task; pg-boss itself accepts any text but its own
// internal queues start with "__pgboss", so names starting with an underscore are refused.
const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function defineJob<T>(input: JobDefinitionInput<T>): JobDefinition<T> {
  if (!NAME.test(input.name)) {
    throw new Error(`job name "${input.name}" must match ${NAME} (e.g. "rdns.check-delegation")`);
  }
  const def: JobDefinition<T> = {
    ...input,
    retryLimit: input.retryLimit ?? 5,
    retryDelaySeconds: input.retryDelaySeconds ?? 10,
    retryBackoff: input.retryBackoff ?? true,
    expireInSeconds: input.expireInSeconds ?? 15 * 60,
  };
  // pg-boss asserts these deep inside start(); failing here names the job at fault.
  wholeAtLeast(def, 'retryLimit', 0);
  wholeAtLeast(def, 'retryDelaySeconds', 0);
  wholeAtLeast(def, 'expireInSeconds', 1);
  if (def.expireInSeconds >= 24 * 3600)
    throw new Error(`job "${def.name}": expireInSeconds must be under 24 h`);
  if (def.cron !== undefined && def.cron.trim().split(/\s+/).length !== 5) {
    throw new Error(`job "${def.name}": cron "${def.cron}" must have five fields`);
  }
  return def;
}

function wholeAtLeast<T>(
  def: JobDefinition<T>,
  key: 'retryLimit' | 'retryDelaySeconds' | 'expireInSeconds',
  min: number,
) {
  const v = def[key];
  if (!Number.isInteger(v) || v < min)
    throw new Error(`job "${def.name}": ${key} must be an integer ≥ ${min}`);
}

/**
 * What is stored as pg-boss's `data`: the payload plus the request id of the caller that
 * enqueued it, so the handler's logs and change-log rows point back to that request.
 */
export interface Envelope<T = unknown> {
  payload: T;
  requestId?: string;
}

export function envelope<T>(payload: T, requestId?: string): Envelope<T> {
  return requestId ? { payload, requestId } : { payload };
}
