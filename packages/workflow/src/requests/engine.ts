import { type RequestContext, UnavailableError } from '@guichet/core';
import type { Tx } from '@guichet/db';
import type { RequestRow } from '../events.js';
import { type AnyKind, type AnyStep, POLICY_ACTOR, type StepOutputs } from '../kinds.js';
import type { Env } from '../line/env.js';
import { assertTransition } from '../rules.js';
import { stepRuns } from '../tables.js';
import {
  appendEvent,
  currentPass,
  type EngineDeps,
  loadOutputs,
  one,
  statusOf,
  stepRunsOf,
  updateRequest,
  updateStepRun,
} from './store.js';

/**
 * The step engine. Always called inside the transaction of an action on a locked request; it
 * never commits and never waits: it runs automatic steps, stops at the first step that waits
 * (a person, or a background job), or completes the request after the last step.
 */

// Job names are lower-case (@guichet/jobs refuses capitals): not `workflow.externalStep`.
export const EXTERNAL_STEP_JOB = 'workflow.external-step';

export interface ExternalStepJobData {
  requestId: string;
  pass: number;
  step: string;
}

/** Starts a pass from the first step (submission, resubmission). */
export async function startPass(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  request: RequestRow,
): Promise<RequestRow> {
  const pass = (await currentPass(tx, request.id)) + 1;
  return runSteps(tx, ctx, deps, kind, request, pass, 0, {});
}

/**
 * Walks the kind's steps from `index`. Automatic steps run here and now — a throw rolls back
 * the whole action, including the filing that reached them.
 */
export async function runSteps(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  request: RequestRow,
  pass: number,
  index: number,
  outputs: StepOutputs,
): Promise<RequestRow> {
  let req = request;
  for (const step of kind.steps.slice(index)) {
    const base = { requestId: req.id, pass, step: step.name, type: step.type, startedAt: ctx.clock.now() };
    if (step.type === 'automatic') {
      const run = one(
        await tx
          .insert(stepRuns)
          .values({ ...base, status: 'running' })
          .returning(),
      );
      const output =
        (await step.run(tx, {
          request: req,
          payload: req.payload,
          ctx,
          data: undefined,
          pass,
          outputs,
          env: deps,
        })) ?? {};
      await updateStepRun(tx, run.id, { status: 'done', finishedAt: ctx.clock.now() });
      outputs[step.name] = output;
      await stepDone(tx, ctx, deps, req, step, pass, undefined, output);
      continue;
    }
    if (step.type === 'human' && step.autoApprove) {
      const args = { request: req, payload: req.payload, ctx, pass, outputs, env: deps };
      const reason = await step.autoApprove(tx, args);
      if (reason !== false) {
        // Approved by policy: the step runs as `system:policy`, and the reason goes in the history.
        const policy: RequestContext = { ...ctx, actor: { kind: 'system', name: POLICY_ACTOR } };
        const output = (await step.run?.(tx, { ...args, ctx: policy, data: undefined })) ?? {};
        const now = ctx.clock.now();
        await tx.insert(stepRuns).values({
          ...base,
          status: 'done',
          actedBy: `system:${POLICY_ACTOR}`,
          actedAt: now,
          finishedAt: now,
        });
        outputs[step.name] = output;
        await stepDone(tx, policy, deps, req, step, pass, undefined, output, reason);
        continue;
      }
    }
    const run = one(
      await tx
        .insert(stepRuns)
        .values({ ...base, status: 'pending' })
        .returning(),
    );
    if (step.type === 'external') {
      const jobId = await enqueueStep(tx, ctx, deps, { requestId: req.id, pass, step: step.name });
      await updateStepRun(tx, run.id, { jobId });
    }
    req = await updateRequest(tx, ctx, req.id, { currentStep: step.name });
    await appendEvent(tx, ctx, deps, req, {
      type: 'step_started',
      from: statusOf(req),
      to: statusOf(req),
      step,
    });
    return req;
  }
  assertTransition(statusOf(req), 'completed', { parties: ['engine'] });
  req = await updateRequest(tx, ctx, req.id, {
    status: 'completed',
    currentStep: null,
    closedAt: ctx.clock.now(),
  });
  await appendEvent(tx, ctx, deps, req, { type: 'completed', from: statusOf(request), to: 'completed' });
  return req;
}

/** Records a finished step in the history; its output is what later steps of the pass read. */
export async function stepDone(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  req: RequestRow,
  step: AnyStep,
  pass: number,
  data: Record<string, unknown> | undefined,
  output: Record<string, unknown>,
  /** Why a policy approved the step by itself (`HumanStep.autoApprove`). */
  autoApproved?: string,
): Promise<void> {
  assertTransition(statusOf(req), 'in_progress', { parties: ['engine'] });
  await appendEvent(tx, ctx, deps, req, {
    type: 'step_completed',
    from: statusOf(req),
    to: statusOf(req),
    step,
    ...(autoApproved !== undefined ? { note: autoApproved } : {}),
    data: {
      pass,
      ...(data ? { data } : {}),
      output,
      ...(autoApproved !== undefined ? { autoApproved } : {}),
    },
  });
}

/** Continues after the step at `step` is done (approval, or a successful external run). */
export async function advanceAfter(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  req: RequestRow,
  step: AnyStep,
  pass: number,
): Promise<RequestRow> {
  const index = kind.steps.findIndex((s) => s.name === step.name);
  const outputs = await loadOutputs(tx, req.id, pass);
  // The request no longer waits on that step: clear it until the next one starts (or the end).
  const moved = await updateRequest(tx, ctx, req.id, { currentStep: null });
  return runSteps(tx, ctx, deps, kind, moved, pass, index + 1, outputs);
}

/**
 * The current pass is given up (return, rejection, cancellation): steps still waiting are
 * marked skipped — a job that wakes up for one of them then finds nothing to do — and the
 * kind undoes what the pass created. A resubmission starts a new pass from the first step.
 */
export async function abandonPass(
  tx: Tx,
  ctx: RequestContext,
  env: Env,
  kind: AnyKind,
  req: RequestRow,
  actedBy?: string,
): Promise<void> {
  const pass = await currentPass(tx, req.id);
  if (pass === 0) return;
  const now = ctx.clock.now();
  for (const run of await stepRunsOf(tx, req.id, pass)) {
    if (run.status !== 'pending' && run.status !== 'running') continue;
    await updateStepRun(tx, run.id, {
      status: 'skipped',
      finishedAt: now,
      ...(actedBy && run.type === 'human' ? { actedBy, actedAt: now } : {}),
    });
  }
  await kind.onAbandon?.(tx, req, ctx, await loadOutputs(tx, req.id, pass), env);
}

export async function enqueueStep(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  data: ExternalStepJobData,
  startAfterSeconds?: number,
): Promise<string> {
  if (!deps.jobs) {
    throw new UnavailableError('jobs', 'Background jobs are not running here: an external step cannot start');
  }
  return deps.jobs.sendInTx(tx, EXTERNAL_STEP_JOB, data, {
    requestId: ctx.requestId,
    ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
  });
}
