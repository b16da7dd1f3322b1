import { randomInt } from 'node:crypto';
import {
  type Actor,
  type ContactRole,
  newId,
  newRequestContext,
  type RequestContext,
  type StaffRole,
} from '@guichet/core';
import type { Database } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions } from '@guichet/membership';
import { createEnv } from '../../line/create.js';
import type { Env } from '../../line/env.js';
import { one } from '../store.js';

/**
 * Test fixtures for the request engine: institutions and contacts written straight into the
 * membership tables (the engine is tested apart from membership's use-cases), and actors as
 * authentication would build them.
 */

export interface InstitutionFixture {
  id: string;
  technical: Actor;
  /** The technical contact again, with a read-only token. */
  technicalReadOnly: Actor;
  head: Actor;
  security: Actor;
  contactIds: Record<'technical' | 'head' | 'security', string>;
}

export async function seedInstitution(database: Database, shortName: string): Promise<InstitutionFixture> {
  const inst = one(
    await database.db
      .insert(institutions)
      .values({
        name: `Université ${shortName}`,
        shortName,
        kind: 'tutelle',
        siren: String(randomInt(100_000_000, 999_999_999)),
        collector: 'RRTHD',
      })
      .returning(),
  );
  const id = inst.id;
  const person = async (role: ContactRole) => {
    const c = one(
      await database.db
        .insert(contacts)
        .values({
          institutionId: id,
          name: `${role} ${shortName}`,
          email: `${role}@${shortName.toLowerCase()}.example`,
        })
        .returning(),
    );
    await database.db.insert(contactRoles).values({ contactId: c.id, institutionId: id, role });
    return c.id;
  };
  const contactIds = {
    technical: await person('technical'),
    head: await person('head'),
    security: await person('security'),
  };
  const actor = (role: ContactRole, scope: 'read' | 'write' = 'write'): Actor => ({
    kind: 'contact',
    id: contactIds[role as keyof typeof contactIds],
    displayName: `${role} ${shortName}`,
    institutionId: id,
    roles: [role],
    credential: { method: 'token', tokenId: newId(), scope },
  });
  return {
    id,
    technical: actor('technical'),
    technicalReadOnly: actor('technical', 'read'),
    head: actor('head'),
    security: actor('security'),
    contactIds,
  };
}

export function staff(username: string, roles: StaffRole[], scope: 'read' | 'write' = 'write'): Actor {
  return {
    kind: 'staff',
    id: newId(),
    username,
    displayName: username,
    roles,
    credential: { method: 'session', scope },
  };
}

let calls = 0;
/** A context with a recognisable HTTP request id, so that history rows can be traced to the call. */
export function as(actor: Actor, requestId = `http-${++calls}`): RequestContext {
  return newRequestContext({ actor, requestId });
}

/** Polls until `check` returns something truthy (no fixed sleeps). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 25_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const envs = new WeakMap<Database, Map<JobRunner | null, Env>>();

/**
 * The env the engine's tests pass: no service line, the given database and job runner (or
 * none). One per (database, runner), so a test file needs no setup of its own.
 */
export function envOf(database: Database, jobs: JobRunner | null = null): Env {
  let byRunner = envs.get(database);
  if (!byRunner) {
    byRunner = new Map();
    envs.set(database, byRunner);
  }
  let env = byRunner.get(jobs);
  if (!env) {
    env = createEnv({ database, lines: [], jobs });
    byRunner.set(jobs, env);
  }
  return env;
}
