import { ForbiddenError, InvalidTransitionError } from '@guichet/core';

/**
 * The request lifecycle, as data. Pure: no database, no GraphQL. The engine (requests/) asks
 * `assertTransition` before every status write, so a transition missing from this table cannot
 * happen whoever calls; rules.test.ts walks every (from, to) pair.
 */

/** Same values as the CHECK on workflow_requests.status (rules.test.ts keeps them equal). */
export const STATUSES = [
  'draft',
  'in_progress',
  'returned',
  'completed',
  'rejected',
  'cancelled',
  'failed',
] as const;
export type RequestStatus = (typeof STATUSES)[number];

/** No transition leaves these. */
export const TERMINAL_STATUSES: readonly RequestStatus[] = ['completed', 'rejected', 'cancelled'];

export const STEP_TYPES = ['automatic', 'human', 'external'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/**
 * Who stands behind a transition, relative to one request:
 * - `filer`: may file for the request's institution (its technical contact with a write
 *   credential, or the agreement desk);
 * - `stepActor`: matches the actor of the human step the request waits on (head, technical,
 *   desk or NOC);
 * - `desk`, `noc`: operator staff with that role (admin counts as both);
 * - `engine`: the step engine itself (never a caller of the API).
 */
export const PARTIES = ['filer', 'stepActor', 'desk', 'noc', 'engine'] as const;
export type Party = (typeof PARTIES)[number];

/** How refusals name the parties, for people. */
export const PARTY_TEXT: Record<Party, string> = {
  filer: "a technical contact of the request's institution (or the agreement desk)",
  stepActor: 'the person the pending step waits for',
  desk: 'the agreement desk',
  noc: 'the NOC',
  engine: 'Guichet itself',
};

export type TransitionAction =
  | 'amend'
  | 'submit'
  | 'cancel'
  | 'advance'
  | 'return'
  | 'reject'
  | 'complete'
  | 'fail'
  | 'resubmit'
  | 'retry';

/** A condition on the request beyond its status. */
export type TransitionGuard = 'humanStepWaiting';

export interface Transition {
  from: RequestStatus;
  to: RequestStatus;
  action: TransitionAction;
  /** Any one of these may trigger it. */
  by: readonly Party[];
  guard?: TransitionGuard;
  /** Why it exists, for the README and the schema descriptions. */
  note: string;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', to: 'draft', action: 'amend', by: ['filer'], note: 'change the payload of a draft' },
  {
    from: 'draft',
    to: 'in_progress',
    action: 'submit',
    by: ['filer'],
    note: 'submit: the first step starts',
  },
  { from: 'draft', to: 'cancelled', action: 'cancel', by: ['filer'], note: 'drop a draft' },
  {
    from: 'in_progress',
    to: 'in_progress',
    action: 'advance',
    by: ['stepActor', 'engine'],
    note: 'a step is done (a person approved, or an automatic/external step succeeded)',
  },
  {
    from: 'in_progress',
    to: 'returned',
    action: 'return',
    by: ['stepActor', 'desk', 'noc', 'engine'],
    note: 'sent back to the institution with a reason (by a person, or by an external step whose check found what the institution must correct)',
  },
  {
    from: 'in_progress',
    to: 'rejected',
    action: 'reject',
    by: ['stepActor', 'desk', 'noc'],
    note: 'refused, with a reason',
  },
  { from: 'in_progress', to: 'completed', action: 'complete', by: ['engine'], note: 'the last step is done' },
  {
    from: 'in_progress',
    to: 'failed',
    action: 'fail',
    by: ['engine'],
    note: 'an external step exhausted its retries',
  },
  {
    from: 'in_progress',
    to: 'cancelled',
    action: 'cancel',
    by: ['filer'],
    guard: 'humanStepWaiting',
    // While an automatic or external step runs, something may be half done on a real system:
    // the filer waits for it (or asks the NOC to reject) rather than pulling the rug.
    note: 'withdrawn by the institution while a person has yet to act',
  },
  { from: 'returned', to: 'returned', action: 'amend', by: ['filer'], note: 'correct a returned request' },
  {
    from: 'returned',
    to: 'in_progress',
    action: 'resubmit',
    by: ['filer'],
    note: 'resubmit after amending: a new pass, steps restart from the first',
  },
  { from: 'returned', to: 'cancelled', action: 'cancel', by: ['filer'], note: 'give up a returned request' },
  {
    from: 'failed',
    to: 'in_progress',
    action: 'retry',
    by: ['noc'],
    note: 'the NOC runs the failed external step again',
  },
  {
    from: 'failed',
    to: 'rejected',
    action: 'reject',
    by: ['noc'],
    note: 'the NOC gives up on a failed request',
  },
];

export function isTerminal(status: RequestStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function findTransition(from: RequestStatus, to: RequestStatus): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

export interface TransitionCheck {
  /** What the caller is, relative to this request (computed by requests/access.ts). */
  parties: ReadonlySet<Party> | readonly Party[];
  /** The type of the step the request waits on, if any. */
  pendingStepType?: StepType | null;
  /**
   * What the caller means to do. A self-loop carries two meanings (amending a draft, advancing
   * a running request): naming the action keeps an amendment of a running request from being
   * read as an attempt to advance it.
   */
  action?: TransitionAction;
}

/**
 * Throws InvalidTransitionError when the table has no such move (or its guard does not hold),
 * ForbiddenError when it exists but none of the caller's parties may trigger it.
 * The state is checked first: a caller who may not act still learns nothing new from
 * "cannot go from completed to in_progress" — they could read the status anyway.
 */
export function assertTransition(from: RequestStatus, to: RequestStatus, check: TransitionCheck): Transition {
  const t = findTransition(from, to);
  if (!t || (check.action && check.action !== t.action))
    throw new InvalidTransitionError('Request', from, to);
  if (t.guard === 'humanStepWaiting' && check.pendingStepType !== 'human') {
    throw new InvalidTransitionError('Request', from, to);
  }
  const parties = new Set(check.parties);
  if (!t.by.some((p) => parties.has(p))) {
    const who = t.by.filter((p) => p !== 'engine' || t.by.length === 1).map((p) => PARTY_TEXT[p]);
    throw new ForbiddenError(`Only ${who.join(' or ')} may ${t.action} this request`);
  }
  return t;
}

/** Whether the action is allowed, without throwing (for UI hints such as `Request.canCancel`). */
export function allows(from: RequestStatus, to: RequestStatus, check: TransitionCheck): boolean {
  try {
    assertTransition(from, to, check);
    return true;
  } catch {
    return false;
  }
}
