import { type Actor, type RequestContext, systemContext } from '@guichet/core';
import {
  AGREEMENT_CHANGE,
  actOnStep,
  CONTACT_CHANGE,
  cancelRequest,
  createEnv,
  type Env,
  fileRequest,
  listRequests,
  ticketForRequest,
} from '@guichet/workflow';
import type { Cast } from './fixtures.js';

const envs = new WeakMap<Cast, Env>();
/** An env without lines for the cast's database (these kinds need none). */
const envOf = (c: Cast): Env => {
  let env = envs.get(c);
  if (!env) {
    env = createEnv({ database: c.database, lines: [] });
    envs.set(c, env);
  }
  return env;
};

/**
 * Requests of institution A in the states the matrix needs, made through the workflow's own
 * use-cases (no job runner: these kinds have no external step). Test code only.
 */

const as = (actor: Actor): RequestContext => ({ ...systemContext('matrix'), actor });

/** A contact change filed by A's technical contact, waiting for the agreement desk. */
export async function pendingDeskRequest(c: Cast, opts: { submit?: boolean } = {}) {
  const contactId = await c.freshContact();
  return fileRequest(c.database.db, as(c.actors.technical!), envOf(c), {
    kind: CONTACT_CHANGE,
    institutionId: c.institutionA,
    payload: { action: 'addRole', contactId, role: 'administrative' },
    submit: opts.submit ?? true,
  });
}

/** The same, sent back to the institution by the desk. */
export async function returnedRequest(c: Cast) {
  const r = await pendingDeskRequest(c);
  return actOnStep(c.database.db, as(c.actors.desk!), envOf(c), {
    requestId: r.id,
    step: 'desk',
    decision: 'return',
    reason: 'Please give the person a phone number',
  });
}

export async function ticketOfA(c: Cast): Promise<string> {
  const r = await pendingDeskRequest(c);
  const t = await ticketForRequest(c.database.db, r.id);
  return t!.id;
}

/**
 * An agreement change of A waiting for the head's signature. One change per agreement may be
 * pending (a unique index says so), so an earlier one is cancelled first.
 */
export async function pendingSignature(c: Cast) {
  const technical = as(c.actors.technical!);
  const pending = await listRequests(c.database.db, technical, {
    institutionId: c.institutionA,
    kind: AGREEMENT_CHANGE,
    status: 'in_progress',
    limit: 10,
  });
  for (const r of pending) {
    await cancelRequest(c.database.db, technical, envOf(c), {
      requestId: r.id,
      reason: 'superseded by the matrix',
    });
  }
  return fileRequest(c.database.db, technical, envOf(c), {
    kind: AGREEMENT_CHANGE,
    institutionId: c.institutionA,
    payload: { bandwidthMbps: 1000 + Math.floor(Math.random() * 100_000) },
  });
}
