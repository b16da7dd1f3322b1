import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import type { RequestRow } from '../events.js';
import { findStep, POLICY_ACTOR } from '../kinds.js';
import { assertTransition } from '../rules.js';
import { abandonPass, advanceAfter, stepDone } from './engine.js';
import { kindOf } from './service.js';
import {
  appendEvent,
  auditRequest,
  currentPass,
  type EngineDeps,
  loadOutputs,
  lockRequest,
  stepRunOf,
  updateRequest,
  updateStepRun,
} from './store.js';

/**
 * A service line settles a step its request waits on, from the line's own action: the step
 * waits for something the line records elsewhere — another institution's consent, a regional
 * operator's segment confirmed active — not for an approval on the request itself.
 *
 * - `lockRequestForLine` first, so that the line's action and any action on the request run
 *   one after the other (the request row is always the first lock);
 * - `reconsiderStep` re-evaluates the waiting human step's `autoApprove` policy: when it now
 *   gives a reason, the step is approved by policy (`system:policy`, the reason in the
 *   history) and the request advances, all in the caller's transaction; otherwise nothing;
 * - `returnFromLine` returns the request to its institution with a reason (the other
 *   institution refused), abandoning the pass as a return by a person would.
 */

export async function lockRequestForLine(tx: Tx, requestId: string): Promise<RequestRow | undefined> {
  return lockRequest(tx, requestId);
}

export async function reconsiderStep(
  tx: Tx,
  ctx: RequestContext,
  env: EngineDeps,
  requestId: string,
  stepName: string,
): Promise<RequestRow | undefined> {
  const req = await lockRequest(tx, requestId);
  if (req?.status !== 'in_progress' || req.currentStep !== stepName) return undefined;
  const kind = kindOf(req);
  const step = findStep(kind, stepName);
  if (step?.type !== 'human' || !step.autoApprove) {
    throw new Error(`${req.kind}: "${stepName}" is not a human step with a policy`);
  }
  const pass = await currentPass(tx, req.id);
  const outputs = await loadOutputs(tx, req.id, pass);
  const args = { request: req, payload: req.payload, ctx, pass, outputs, env };
  const reason = await step.autoApprove(tx, args);
  if (reason === false) return undefined;
  const policy: RequestContext = { ...ctx, actor: { kind: 'system', name: POLICY_ACTOR } };
  const run = await stepRunOf(tx, req.id, pass, step.name);
  if (!run) throw new Error(`request ${req.id}: no run of step ${step.name} in pass ${pass}`);
  const output = (await step.run?.(tx, { ...args, ctx: policy, data: undefined })) ?? {};
  const now = ctx.clock.now();
  await updateStepRun(tx, run.id, {
    status: 'done',
    actedBy: `system:${POLICY_ACTOR}`,
    actedAt: now,
    finishedAt: now,
  });
  await stepDone(tx, policy, env, req, step, pass, undefined, output, reason);
  const after = await advanceAfter(tx, policy, env, kind, req, step, pass);
  await auditRequest(tx, ctx, 'advanceRequest', req, after);
  return after;
}

export async function returnFromLine(
  tx: Tx,
  ctx: RequestContext,
  env: EngineDeps,
  requestId: string,
  reason: string,
  data: Record<string, unknown> = {},
): Promise<RequestRow | undefined> {
  const req = await lockRequest(tx, requestId);
  if (req?.status !== 'in_progress') return undefined;
  const kind = kindOf(req);
  const step = findStep(kind, req.currentStep);
  assertTransition('in_progress', 'returned', { parties: ['engine'], action: 'return' });
  const pass = await currentPass(tx, req.id);
  const text = reason.slice(0, 2000);
  const after = await updateRequest(tx, ctx, req.id, { status: 'returned', currentStep: null, reason: text });
  await abandonPass(tx, ctx, env, kind, after);
  await appendEvent(tx, ctx, env, after, {
    type: 'returned',
    from: 'in_progress',
    to: 'returned',
    ...(step ? { step } : {}),
    note: text,
    data: { pass, ...data },
  });
  await auditRequest(tx, ctx, 'returnRequest', req, after);
  return after;
}
