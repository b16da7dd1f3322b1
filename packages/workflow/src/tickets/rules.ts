import { InvalidTransitionError } from '@guichet/core';

/**
 * Ticket lifecycle and SLA arithmetic. Pure: no database, no clock of its own — callers pass
 * `now` (from `ctx.clock`), so tests pin time.
 *
 * SLA policy (also in packages/workflow/README.md):
 * - both clocks (first response, resolution) start when the request is submitted;
 * - a clock is paused while the request waits on the institution (returned to it, or a step
 *   the institution must act on, such as the head's signature) — like Zammad, unlike OTRS,
 *   because the operator cannot be late on work it cannot do;
 * - on resume, the due times move forward by the length of the pause, so a stored due time is
 *   always "start + target + pauses so far"; the response due time moves only for pauses
 *   before the first response (a late answer must stay late);
 * - warning at 75 % of a target, breach past 100 %; both clocks are shown, never only the
 *   nearest (Zammad #3928).
 */

export const TICKET_STATES = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/**
 * What can happen to a ticket. `take`, `assign`, `release` and `respond` are staff actions;
 * the others follow the request engine's events (see listener.ts). `take` and `respond` count
 * as the operator's first response; `assign` does not (a dispatcher handing out tickets has not
 * looked at them).
 */
export const TICKET_ACTIONS = [
  'take',
  'assign',
  'release',
  'respond',
  'wait',
  'resume',
  'resolve',
  'close',
  'fail',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Who may cause an action: staff through a use-case, or the engine through an event. */
export const ACTION_BY: Record<TicketAction, 'staff' | 'engine'> = {
  take: 'staff',
  assign: 'staff',
  release: 'staff',
  respond: 'staff',
  wait: 'engine',
  resume: 'engine',
  resolve: 'engine',
  close: 'engine',
  fail: 'engine',
};

/**
 * `attended`: someone from the operator already took or answered the ticket. A resumed ticket
 * goes back to `open` when attended and to `new` otherwise, so the queue still shows the
 * tickets nobody has looked at.
 */
type Target = TicketState | ((attended: boolean) => TicketState);
const back: Target = (attended) => (attended ? 'open' : 'new');

/** The transition table is data: a missing entry is a refused transition. */
export const TRANSITIONS: Record<TicketState, Partial<Record<TicketAction, Target>>> = {
  new: {
    take: 'open',
    assign: 'open',
    release: 'new',
    respond: 'open',
    wait: 'waiting',
    resume: 'new',
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  open: {
    take: 'open',
    assign: 'open',
    release: 'open',
    respond: 'open',
    wait: 'waiting',
    resume: 'open',
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  // The ball is with the institution: taking or answering does not bring it back.
  waiting: {
    take: 'waiting',
    assign: 'waiting',
    release: 'waiting',
    respond: 'waiting',
    wait: 'waiting',
    resume: back,
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  // Final, as the request is: comments may still be added (post-mortem notes).
  resolved: { respond: 'resolved' },
  closed: { respond: 'closed' },
};

export function canApply(state: TicketState, action: TicketAction): boolean {
  return TRANSITIONS[state][action] !== undefined;
}

export function nextState(state: TicketState, action: TicketAction, attended: boolean): TicketState {
  const target = TRANSITIONS[state][action];
  if (target === undefined) throw new InvalidTransitionError('ticket', state, action);
  return typeof target === 'function' ? target(attended) : target;
}

export const isActive = (s: TicketState): boolean => s === 'new' || s === 'open' || s === 'waiting';

export interface SlaTargets {
  responseMinutes: number;
  resolutionMinutes: number;
}

export const DEFAULT_SLA: SlaTargets = { responseMinutes: 4 * 60, resolutionMinutes: 5 * 24 * 60 };

/** What the SLA arithmetic needs of a ticket row. */
export interface SlaInput {
  createdAt: Date;
  responseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  pausedSince: Date | null;
  pausedSeconds: number;
  responseMinutes: number;
  resolutionMinutes: number;
}

export type Escalation = 'ok' | 'warning' | 'breached';

export interface SlaClock {
  responseDueAt: Date;
  resolutionDueAt: Date;
  responseBreached: boolean;
  resolutionBreached: boolean;
  /** Time spent on the clock (net of pauses) over the target: 0.5 = half the time used. */
  responseElapsedRatio: number;
  resolutionElapsedRatio: number;
  paused: boolean;
  /** Pauses so far, the running one included. */
  pausedSeconds: number;
  /** The worst level among the clocks still relevant (see `slaClock`). */
  escalation: Escalation;
}

export const WARNING_RATIO = 0.75;

function level(ratio: number): Escalation {
  if (ratio > 1) return 'breached';
  return ratio >= WARNING_RATIO ? 'warning' : 'ok';
}

const min = (...ds: (Date | null)[]): Date =>
  new Date(Math.min(...ds.filter((d): d is Date => d !== null).map((d) => d.getTime())));

/**
 * Computes both clocks at `now`. A clock stops at its end (first response; resolution or
 * closing) and while paused. Because due = start + target + pauses, the net elapsed time is
 * `end - (due - target)`: no replay of the pause history is needed.
 */
export function slaClock(t: SlaInput, now: Date): SlaClock {
  const finished = t.resolvedAt ?? t.closedAt;
  const resolutionEnd = min(now, t.pausedSince, finished);
  const responseEnd = min(resolutionEnd, t.firstResponseAt);
  const ratio = (end: Date, due: Date, minutes: number) => {
    const targetMs = minutes * 60_000;
    return (end.getTime() - (due.getTime() - targetMs)) / targetMs;
  };
  const responseElapsedRatio = ratio(responseEnd, t.responseDueAt, t.responseMinutes);
  const resolutionElapsedRatio = ratio(resolutionEnd, t.resolutionDueAt, t.resolutionMinutes);
  const running = t.pausedSince
    ? Math.max(0, Math.round((now.getTime() - t.pausedSince.getTime()) / 1000))
    : 0;
  // Once answered, the response clock is history: only the resolution clock drives escalation.
  const responseRelevant = t.firstResponseAt === null && finished === null;
  const levels = [level(resolutionElapsedRatio), ...(responseRelevant ? [level(responseElapsedRatio)] : [])];
  const escalation: Escalation = levels.includes('breached')
    ? 'breached'
    : levels.includes('warning')
      ? 'warning'
      : 'ok';
  return {
    responseDueAt: t.responseDueAt,
    resolutionDueAt: t.resolutionDueAt,
    responseBreached: responseEnd.getTime() > t.responseDueAt.getTime(),
    resolutionBreached: resolutionEnd.getTime() > t.resolutionDueAt.getTime(),
    responseElapsedRatio,
    resolutionElapsedRatio,
    paused: t.pausedSince !== null,
    pausedSeconds: t.pausedSeconds + running,
    escalation,
  };
}

/** Due times of a ticket opened at `start`. */
export function initialDueTimes(start: Date, targets: SlaTargets) {
  return {
    responseDueAt: new Date(start.getTime() + targets.responseMinutes * 60_000),
    resolutionDueAt: new Date(start.getTime() + targets.resolutionMinutes * 60_000),
  };
}

/**
 * Ending a pause at `now`: the due times move forward by the pause (the response due time only
 * while unanswered), and the pause is added to the total.
 */
export function resumeClock(
  t: Pick<
    SlaInput,
    'pausedSince' | 'pausedSeconds' | 'responseDueAt' | 'resolutionDueAt' | 'firstResponseAt'
  >,
  now: Date,
) {
  if (!t.pausedSince) return null;
  const from = t.pausedSince.getTime();
  const pauseMs = Math.max(0, now.getTime() - from);
  // An answer given during the pause stops the response clock there: only the part of the
  // pause before it moves the response due time.
  const responsePauseMs = t.firstResponseAt
    ? Math.max(0, Math.min(pauseMs, t.firstResponseAt.getTime() - from))
    : pauseMs;
  return {
    pausedSince: null,
    pausedSeconds: t.pausedSeconds + Math.round(pauseMs / 1000),
    responseDueAt: new Date(t.responseDueAt.getTime() + responsePauseMs),
    resolutionDueAt: new Date(t.resolutionDueAt.getTime() + pauseMs),
  };
}

/** The fields of a ticket that actions change. */
export interface TicketClockRow extends SlaInput {
  state: TicketState;
  ownerId: string | null;
}

export type TicketPatch = Partial<
  Pick<
    TicketClockRow,
    | 'state'
    | 'pausedSince'
    | 'pausedSeconds'
    | 'responseDueAt'
    | 'resolutionDueAt'
    | 'firstResponseAt'
    | 'resolvedAt'
    | 'closedAt'
  >
>;

/**
 * Applies actions in order at `now` and returns only the fields that change (empty: nothing
 * to write). Leaving `waiting` always ends the pause first, so a ticket resolved or closed
 * while waiting does not count the wait against the operator. Throws InvalidTransitionError.
 */
export function plan(t: TicketClockRow, actions: readonly TicketAction[], now: Date): TicketPatch {
  let cur: TicketClockRow = { ...t };
  for (const action of actions) {
    const responds = action === 'take' || action === 'respond';
    const attended = cur.ownerId !== null || cur.firstResponseAt !== null || responds || action === 'assign';
    const to = nextState(cur.state, action, attended);
    const next: TicketClockRow = { ...cur, state: to };
    if (cur.state === 'waiting' && to !== 'waiting') Object.assign(next, resumeClock(cur, now));
    if (cur.state !== 'waiting' && to === 'waiting') next.pausedSince = now;
    if (to === 'resolved' && cur.state !== 'resolved') next.resolvedAt = now;
    if (to === 'closed' && cur.state !== 'closed') next.closedAt = now;
    if (responds && cur.firstResponseAt === null) next.firstResponseAt = now;
    cur = next;
  }
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cur)) {
    const before = (t as unknown as Record<string, unknown>)[k];
    const same =
      v instanceof Date && before instanceof Date ? v.getTime() === before.getTime() : v === before;
    if (!same) patch[k] = v;
  }
  return patch as TicketPatch;
}
