import type { RequestContext } from '@guichet/core';
import type { Db } from '@guichet/db';
import { z } from 'zod';
import type { RequestRow } from '../events.js';
import type { Env } from '../line/env.js';
import { assertTransition, type RequestStatus } from '../rules.js';
import { assertRequestId, partiesOf } from './access.js';
import { abandonPass, enqueueStep } from './engine.js';
import { loadForAction } from './service.js';
import { appendEvent, auditRequest, currentPass, stepRunOf, updateRequest, updateStepRun } from './store.js';
import { parseWith } from './validation.js';

/** Ending a request early (the filer cancels) and running a failed one again (the NOC). */

const CancelInput = z.object({ requestId: z.string(), reason: z.string().trim().max(2000).optional() });

/**
 * Cancels a draft, a returned request, or one waiting on a person (the filer). What the
 * current pass created is undone by the kind's onAbandon.
 */
export async function cancelRequest(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: z.input<typeof CancelInput>,
): Promise<RequestRow> {
  const i = parseWith(CancelInput, input, ['input']);
  assertRequestId(i.requestId);
  return db.transaction(async (tx) => {
    const { req, kind, pending } = await loadForAction(tx, ctx, i.requestId);
    const from = req.status as RequestStatus;
    assertTransition(from, 'cancelled', {
      parties: partiesOf(ctx.actor, req, pending),
      pendingStepType: pending?.type ?? null,
      action: 'cancel',
    });
    const reason = i.reason || null;
    const after = await updateRequest(tx, ctx, req.id, {
      status: 'cancelled',
      currentStep: null,
      reason,
      closedAt: ctx.clock.now(),
    });
    // A returned request's pass was abandoned when it was returned; a draft never started one.
    if (from === 'in_progress') await abandonPass(tx, ctx, env, kind, after);
    await appendEvent(tx, ctx, env, after, { type: 'cancelled', from, to: 'cancelled', note: reason });
    await auditRequest(tx, ctx, 'cancelRequest', req, after);
    return after;
  });
}

/** failed → in_progress (the NOC): the failed external step gets a fresh set of attempts. */
export async function retryRequest(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: { requestId: string },
): Promise<RequestRow> {
  assertRequestId(input.requestId);
  return db.transaction(async (tx) => {
    const { req, pending } = await loadForAction(tx, ctx, input.requestId);
    assertTransition(req.status as RequestStatus, 'in_progress', {
      parties: partiesOf(ctx.actor, req),
      action: 'retry',
    });
    const pass = await currentPass(tx, req.id);
    const run = pending ? await stepRunOf(tx, req.id, pass, pending.name) : undefined;
    if (pending?.type !== 'external' || !run) {
      throw new Error(`request ${req.id} failed without a failed external step`);
    }
    const jobId = await enqueueStep(tx, ctx, env, { requestId: req.id, pass, step: pending.name });
    // attempts restart from zero; lastError stays until the next attempt replaces it.
    await updateStepRun(tx, run.id, { status: 'pending', attempts: 0, jobId, finishedAt: null });
    const after = await updateRequest(tx, ctx, req.id, { status: 'in_progress', reason: null });
    await appendEvent(tx, ctx, env, after, {
      type: 'retried',
      from: 'failed',
      to: 'in_progress',
      step: pending,
    });
    await auditRequest(tx, ctx, 'retryRequest', req, after);
    return after;
  });
}
