import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import type { Env } from './line/env.js';
import type { requests } from './tables.js';

export type RequestRow = typeof requests.$inferSelect;

/**
 * What happened to a request. The engine (requests/) emits one per history event, inside the
 * transaction that made it; listeners (tickets/, notify/) update their own tables and enqueue
 * jobs in that same transaction, so a rolled-back action leaves no ticket change and no email.
 */
export type RequestEventType =
  | 'submitted'
  | 'resubmitted'
  | 'amended'
  | 'step_started'
  | 'step_completed'
  | 'returned'
  | 'rejected'
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'retried';

export interface RequestEvent {
  type: RequestEventType;
  /** The `workflow_request_events` row id of this event. */
  eventId: number;
  /** The request after the change. */
  request: RequestRow;
  /** The step concerned (for step_started: the step now pending). */
  step?: {
    name: string;
    type: 'automatic' | 'human' | 'external';
    actor?: StepActor;
    waitsOnInstitution: boolean;
  };
  reason?: string | null;
  ctx: RequestContext;
}

/** Who acts on a human step. `head` and `technical` are the institution's side. */
export type StepActor = 'head' | 'technical' | 'desk' | 'noc';

/** Listeners get the env (the job runner, the configuration…). */
export type ListenerDeps = Env;

export type RequestEventListener = (tx: Tx, event: RequestEvent, deps: ListenerDeps) => Promise<void>;

const listeners: RequestEventListener[] = [];

/** Registered once at import time by tickets/ and notify/. */
export function onRequestEvent(listener: RequestEventListener): void {
  listeners.push(listener);
}

export async function emitRequestEvent(tx: Tx, event: RequestEvent, deps: ListenerDeps): Promise<void> {
  for (const l of listeners) await l(tx, event, deps);
}
