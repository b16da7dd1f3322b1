import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import { defineJob, type JobContext, type JobDefinition } from '@guichet/jobs';
import { z } from 'zod';
import type { RequestRow } from '../events.js';
import {
  type AnyKind,
  type ExternalStep,
  findStep,
  ReturnToInstitution,
  retryDelaySeconds,
  retryPolicy,
} from '../kinds.js';
import type { Env } from '../line/env.js';
import { assertTransition } from '../rules.js';
import {
  abandonPass,
  advanceAfter,
  EXTERNAL_STEP_JOB,
  type ExternalStepJobData,
  enqueueStep,
  stepDone,
} from './engine.js';
import { kindOf } from './service.js';
import {
  appendEvent,
  auditRequest,
  type EngineDeps,
  loadOutputs,
  lockRequest,
  type StepRunRow,
  stepRunOf,
  updateRequest,
  updateStepRun,
} from './store.js';

/**
 * External steps run in the background job `workflow.external-step`, one job per attempt.
 *
 * Retries are the kind's, not pg-boss's: pg-boss keeps one retry policy per queue, and each
 * kind (or step) sets its own limit and delay. So a failed attempt is recorded on the step run
 * (attempts, lastError) and the next attempt is enqueued with its delay — or, when the limit
 * is reached, the request goes `failed` — and the job itself ends normally. pg-boss's own
 * retries stay for what the handler could not record (the database was unreachable): such a
 * retry carries the same job id and is simply the next attempt.
 *
 * The handler never holds a transaction while the step talks to its peer: it claims the
 * attempt in one short transaction, runs the step, and records the outcome in another.
 */

const JobData = z.object({ requestId: z.uuid(), pass: z.number().int().positive(), step: z.string().min(1) });

/**
 * The job that runs external steps, for one env: the process that runs handlers (the api on
 * the embedded engine, services/worker on a server) composes it with every other job.
 */
export function externalStepJob(env: Env): JobDefinition<ExternalStepJobData> {
  return defineJob<ExternalStepJobData>({
    name: EXTERNAL_STEP_JOB,
    validate: (d) => JobData.parse(d),
    // Only for failures the handler could not record itself (see above).
    retryLimit: 5,
    retryDelaySeconds: 30,
    handler: async (data, job) => runExternalStep(env, data, job),
  });
}

interface Claimed {
  req: RequestRow;
  kind: AnyKind;
  step: ExternalStep<unknown>;
  run: StepRunRow;
}

/** Locks the request and checks that this job is still the one the step waits for. */
async function current(tx: Tx, data: ExternalStepJobData, jobId: string): Promise<Claimed | undefined> {
  const req = await lockRequest(tx, data.requestId);
  if (req?.status !== 'in_progress' || req.currentStep !== data.step) return undefined;
  const run = await stepRunOf(tx, req.id, data.pass, data.step);
  if (run?.jobId !== jobId || (run.status !== 'pending' && run.status !== 'running')) return undefined;
  const kind = kindOf(req);
  const step = findStep(kind, data.step);
  if (step?.type !== 'external') throw new Error(`${req.kind}: "${data.step}" is not an external step`);
  return { req, kind, step, run };
}

async function runExternalStep(env: Env, data: ExternalStepJobData, job: JobContext) {
  const { database } = env;
  const ctx: RequestContext = job.requestContext;
  const deps: EngineDeps = env;
  const claimed = await database.db.transaction(async (tx) => {
    const c = await current(tx, data, job.jobId);
    if (!c) return undefined;
    await updateStepRun(tx, c.run.id, { status: 'running', attempts: c.run.attempts + 1 });
    return { ...c, attempt: c.run.attempts + 1, outputs: await loadOutputs(tx, c.req.id, data.pass) };
  });
  if (!claimed) {
    // Returned, cancelled, retried under a new job, or already done: nothing to do.
    job.logger.info(
      { requestId: data.requestId, step: data.step },
      'external step no longer pending: skipped',
    );
    return;
  }
  const { req, step, attempt, outputs } = claimed;
  try {
    const output =
      (await step.run(database.db, {
        request: req,
        payload: req.payload,
        ctx,
        data: undefined,
        pass: data.pass,
        outputs,
        env,
      })) ?? {};
    await database.db.transaction(async (tx) => {
      const c = await current(tx, data, job.jobId);
      if (!c) return;
      await updateStepRun(tx, c.run.id, { status: 'done', finishedAt: ctx.clock.now() });
      await stepDone(tx, ctx, deps, c.req, step, data.pass, undefined, output);
      const after = await advanceAfter(tx, ctx, deps, c.kind, c.req, step, data.pass);
      await auditRequest(tx, ctx, 'advanceRequest', c.req, after);
    });
  } catch (err) {
    if (err instanceof ReturnToInstitution) {
      await database.db.transaction(async (tx) => returnFromStep(tx, ctx, deps, data, job.jobId, err));
      return;
    }
    // Also reached when a later automatic step throws: the attempt counts as failed and the
    // external step runs again (it is idempotent), then the automatic one.
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    job.logger.warn({ err, attempt, step: data.step }, 'external step attempt failed');
    await database.db.transaction(async (tx) =>
      recordFailure(tx, ctx, deps, data, job.jobId, attempt, message),
    );
  }
}

/** The step sent the request back to the institution: returned with its reason, the pass abandoned. */
async function returnFromStep(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  data: ExternalStepJobData,
  jobId: string,
  ret: ReturnToInstitution,
): Promise<void> {
  const c = await current(tx, data, jobId);
  if (!c) return;
  assertTransition('in_progress', 'returned', { parties: ['engine'], action: 'return' });
  const reason = ret.reason.slice(0, 2000);
  await updateStepRun(tx, c.run.id, { status: 'done', finishedAt: ctx.clock.now() });
  const after = await updateRequest(tx, ctx, c.req.id, { status: 'returned', currentStep: null, reason });
  await abandonPass(tx, ctx, deps, c.kind, after);
  await appendEvent(tx, ctx, deps, after, {
    type: 'returned',
    from: 'in_progress',
    to: 'returned',
    step: c.step,
    note: reason,
    data: { pass: data.pass, ...ret.data },
  });
  await auditRequest(tx, ctx, 'returnRequest', c.req, after);
}

async function recordFailure(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  data: ExternalStepJobData,
  jobId: string,
  attempt: number,
  message: string,
): Promise<void> {
  const c = await current(tx, data, jobId);
  if (!c) return;
  const policy = retryPolicy(c.kind, c.step, deps);
  if (attempt <= policy.limit) {
    const delay = retryDelaySeconds(policy, attempt);
    const next = await enqueueStep(tx, ctx, deps, data, delay);
    await updateStepRun(tx, c.run.id, { status: 'pending', lastError: message, jobId: next });
    return;
  }
  assertTransition('in_progress', 'failed', { parties: ['engine'], action: 'fail' });
  const now = ctx.clock.now();
  await updateStepRun(tx, c.run.id, { status: 'failed', lastError: message, finishedAt: now });
  const reason = `Step "${data.step}" failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${message}`;
  // currentStep stays: it is the step a retry starts again.
  const after = await updateRequest(tx, ctx, c.req.id, { status: 'failed', reason });
  await appendEvent(tx, ctx, deps, after, {
    type: 'failed',
    from: 'in_progress',
    to: 'failed',
    step: c.step,
    note: reason,
    data: { attempts: attempt, error: message },
  });
  await auditRequest(tx, ctx, 'failRequest', c.req, after);
}
