import { randomUUID } from 'node:crypto';
import { type Actor, ANONYMOUS } from './actor.js';

/** A clock that tests can pin; production code never calls `new Date()` directly for rules. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(d: Date | string): void } {
  let t = new Date(at);
  return {
    now: () => new Date(t),
    set(d) {
      t = new Date(d);
    },
  };
}

/** Everything a use-case needs to know about the call it serves. */
export interface RequestContext {
  actor: Actor;
  /** The HTTP `x-request-id` (or a generated one): ties logs and change-log rows together. */
  requestId: string;
  clock: Clock;
}

export function newRequestContext(partial: Partial<RequestContext> = {}): RequestContext {
  return {
    actor: partial.actor ?? ANONYMOUS,
    requestId: partial.requestId ?? randomUUID(),
    clock: partial.clock ?? systemClock,
  };
}

/** Context for work no person started (jobs, start-up); the name shows in change logs. */
export function systemContext(name: string, requestId: string = randomUUID()): RequestContext {
  return { actor: { kind: 'system', name }, requestId, clock: systemClock };
}
