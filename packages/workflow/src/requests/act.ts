import { actorLabel, ConflictError, type RequestContext, ValidationError } from '@guichet/core';
import type { Db, Tx } from '@guichet/db';
import { z } from 'zod';
import type { RequestRow } from '../events.js';
import type { AnyKind, AnyStep } from '../kinds.js';
import type { Env } from '../line/env.js';
import { assertTransition, type RequestStatus } from '../rules.js';
import { assertRequestId, partiesOf } from './access.js';
import { abandonPass, advanceAfter, stepDone } from './engine.js';
import { loadForAction } from './service.js';
import {
  appendEvent,
  auditRequest,
  currentPass,
  type EngineDeps,
  loadOutputs,
  stepRunOf,
  updateRequest,
  updateStepRun,
} from './store.js';
import { type Path, parseWith } from './validation.js';

/**
 * A person acts on a request: approves the human step it waits on (which runs that step and
 * advances), returns it to the institution, or rejects it.
 */

const ActInput = z.object({
  requestId: z.string(),
  /** The step the caller saw pending; required to approve, checked when given. */
  step: z.string().min(1).optional(),
  decision: z.enum(['approve', 'return', 'reject']),
  reason: z.string().trim().max(2000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ActOnStepInput = z.input<typeof ActInput>;

export interface ActOptions {
  /** Where the step data sits in the caller's input, for field paths (default `['input', 'data']`). */
  dataPath?: Path;
}

export async function actOnStep(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: ActOnStepInput,
  opts: ActOptions = {},
): Promise<RequestRow> {
  const i = parseWith(ActInput, input, ['input']);
  if (i.decision !== 'approve' && !i.reason) {
    throw ValidationError.field(['input', 'reason'], `say why the request is ${i.decision}ed`);
  }
  if (i.decision === 'approve' && !i.step) {
    throw ValidationError.field(['input', 'step'], 'name the step you approve');
  }
  assertRequestId(i.requestId);
  const deps: EngineDeps = env;
  return db.transaction(async (tx) => {
    const { req, kind, pending } = await loadForAction(tx, ctx, i.requestId);
    // The caller acted on what they saw; if another action moved the request meanwhile (a
    // concurrent approval), theirs no longer applies.
    if (req.status === 'in_progress' && i.step && i.step !== req.currentStep) {
      throw new ConflictError(
        `Step "${i.step}" is not pending any more: the request is at ${req.currentStep ? `"${req.currentStep}"` : 'no step'}`,
      );
    }
    const after =
      i.decision === 'approve'
        ? await approve(tx, ctx, deps, kind, req, pending, i.data, opts.dataPath ?? ['input', 'data'])
        : await close(tx, ctx, deps, kind, req, pending, i.decision, i.reason ?? '');
    await auditRequest(tx, ctx, `${i.decision}Request`, req, after);
    return after;
  });
}

async function approve(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  req: RequestRow,
  pending: AnyStep | undefined,
  rawData: Record<string, unknown> | undefined,
  dataPath: Path,
): Promise<RequestRow> {
  if (req.status === 'in_progress' && pending?.type !== 'human') {
    throw new ConflictError(`Step "${req.currentStep}" is not waiting for a person`);
  }
  assertTransition(req.status as RequestStatus, 'in_progress', {
    parties: partiesOf(ctx.actor, req, pending),
    action: 'advance',
  });
  const step = pending as Extract<AnyStep, { type: 'human' }>;
  const data = step.dataSchema ? parseWith(step.dataSchema, rawData ?? {}, dataPath) : rawData;
  const pass = await currentPass(tx, req.id);
  const run = await stepRunOf(tx, req.id, pass, step.name);
  if (!run) throw new Error(`request ${req.id}: no run of step ${step.name} in pass ${pass}`);
  const outputs = await loadOutputs(tx, req.id, pass);
  const output =
    (await step.run?.(tx, { request: req, payload: req.payload, ctx, data, pass, outputs, env: deps })) ?? {};
  const now = ctx.clock.now();
  await updateStepRun(tx, run.id, {
    status: 'done',
    actedBy: actorLabel(ctx.actor),
    actedAt: now,
    finishedAt: now,
  });
  await stepDone(tx, ctx, deps, req, step, pass, data, output);
  return advanceAfter(tx, ctx, deps, kind, req, step, pass);
}

/** Return (to the institution, to be amended and resubmitted) or reject (final). */
async function close(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  req: RequestRow,
  pending: AnyStep | undefined,
  decision: 'return' | 'reject',
  reason: string,
): Promise<RequestRow> {
  const from = req.status as RequestStatus;
  const to = decision === 'return' ? 'returned' : 'rejected';
  assertTransition(from, to, {
    parties: partiesOf(ctx.actor, req, pending),
    pendingStepType: pending?.type ?? null,
    action: decision,
  });
  const after = await updateRequest(tx, ctx, req.id, {
    status: to,
    currentStep: null,
    reason,
    closedAt: to === 'rejected' ? ctx.clock.now() : null,
  });
  await abandonPass(tx, ctx, deps, kind, after, actorLabel(ctx.actor));
  await appendEvent(tx, ctx, deps, after, {
    type: to,
    from,
    to,
    ...(pending ? { step: pending } : {}),
    note: reason,
  });
  return after;
}
