import { recordChange } from '@guichet/audit';
import type { Actor } from '@guichet/core';
import { eq, type Tx } from '@guichet/db';
import { onRequestEvent, type RequestEvent } from '../events.js';
import { tickets } from '../tables.js';
import { canApply, initialDueTimes, plan, type TicketAction, type TicketClockRow } from './rules.js';
import { queueOf, slaTargets } from './targets.js';

/**
 * Keeps each request's ticket in step with the request engine. Runs inside the engine's
 * transaction: a rolled-back action leaves the ticket untouched. It never throws on an event
 * that does not apply (a ticket already final, a request that never had a ticket): refusing
 * would roll back the institution's or the NOC's action for a bookkeeping reason.
 */

/** The engine's events that move the ticket, apart from `submitted` (which opens it). */
function actionFor(event: RequestEvent): TicketAction | null {
  switch (event.type) {
    case 'step_started':
      return event.step?.waitsOnInstitution ? 'wait' : 'resume';
    case 'returned':
      return 'wait';
    case 'resubmitted':
      return 'resume';
    case 'completed':
      return 'resolve';
    case 'rejected':
    case 'cancelled':
      return 'close';
    case 'failed':
      return 'fail';
    default:
      return null;
  }
}

// Filing, amending and resubmitting are the institution's side (even when the desk files on
// its behalf): they never count as the operator's response.
const RESPONSE_EVENTS = new Set([
  'step_completed',
  'returned',
  'rejected',
  'completed',
  'cancelled',
  'retried',
]);
const isOperator = (a: Actor) => a.kind === 'staff' || a.kind === 'script';

export async function ticketListener(tx: Tx, event: RequestEvent): Promise<void> {
  const now = event.ctx.clock.now();
  if (event.type === 'submitted') {
    await openTicket(tx, event, now);
    return;
  }
  const actions: TicketAction[] = [];
  if (RESPONSE_EVENTS.has(event.type) && isOperator(event.ctx.actor)) actions.push('respond');
  const action = actionFor(event);
  if (action) actions.push(action);
  if (actions.length === 0) return;

  const [t] = await tx.select().from(tickets).where(eq(tickets.requestId, event.request.id)).for('update');
  if (!t) return;
  const row = t as TicketClockRow & typeof t;
  const applicable = actions.filter((a) => canApply(row.state, a));
  if (applicable.length === 0) return;
  const patch = plan(row, applicable, now);
  if (Object.keys(patch).length === 0) return;
  await tx.update(tickets).set(patch).where(eq(tickets.id, t.id));
  await recordChange(tx, event.ctx, {
    action: `workflow.ticket.${event.type}`,
    objectType: 'Ticket',
    objectId: t.id,
    institutionId: t.institutionId,
    before: Object.fromEntries(Object.keys(patch).map((k) => [k, t[k as keyof typeof t]])),
    after: patch,
  });
}

async function openTicket(tx: Tx, event: RequestEvent, now: Date): Promise<void> {
  const { request } = event;
  const targets = slaTargets(request.kind);
  const [t] = await tx
    .insert(tickets)
    .values({
      requestId: request.id,
      institutionId: request.institutionId,
      queue: queueOf(request.kind),
      state: 'new',
      ...initialDueTimes(now, targets),
      responseMinutes: targets.responseMinutes,
      resolutionMinutes: targets.resolutionMinutes,
      // The clocks start at submission, which is `now` in the engine's context — not at the
      // database's commit time, so tests pinning the clock see exact due times.
      createdAt: now,
    })
    // One ticket per request (unique index): a repeated `submitted` leaves the first one.
    .onConflictDoNothing({ target: tickets.requestId })
    .returning();
  if (!t) return;
  await recordChange(tx, event.ctx, {
    action: 'workflow.ticket.open',
    objectType: 'Ticket',
    objectId: t.id,
    institutionId: t.institutionId,
    after: t,
  });
}

onRequestEvent((tx, event) => ticketListener(tx, event));
