import { randomInt } from 'node:crypto';
import {
  type Actor,
  createLogger,
  loadConfig,
  newId,
  newRequestContext,
  type RequestContext,
  type StaffRole,
} from '@guichet/core';
import type { Database, DbOrTx } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions, sites } from '@guichet/membership';
import { createEnv, type Env, externalStepJob, notifyJobs } from '@guichet/workflow';
import { ipamLine } from '../line.js';
import { type CreatePoolInput, createPool } from '../service/pools.js';

export function staff(roles: StaffRole[] = ['noc']): Actor {
  return {
    kind: 'staff',
    id: newId(),
    username: roles.join('-'),
    displayName: 'NOC',
    roles,
    credential: { method: 'session', scope: 'write' },
  };
}

export const noc = (): RequestContext => newRequestContext({ actor: staff(['noc']) });

let n = 0;
export async function institution(db: DbOrTx): Promise<{ id: string; siteId: string }> {
  const short = `IP${++n}${randomInt(1e6)}`;
  const [inst] = await db
    .insert(institutions)
    .values({
      name: `Université ${short}`,
      shortName: short,
      kind: 'tutelle',
      siren: String(randomInt(100_000_000, 999_999_999)),
      collector: 'RRTHD',
    })
    .returning();
  const [site] = await db
    .insert(sites)
    .values({ institutionId: inst!.id, name: 'Campus', address: '1 rue', city: 'Lyon', main: true })
    .returning();
  return { id: inst!.id, siteId: site!.id };
}

export const RPSL = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['EXAMPLE-MNT'], country: 'FR' };

/** A root pool (RIR space) with the RPSL defaults assignments inherit. */
export function pool(db: DbOrTx, prefix: string, over: Partial<CreatePoolInput> = {}) {
  const v6 = prefix.includes(':');
  return createPool(db, noc(), {
    name: `pool ${prefix}`,
    prefix,
    status: v6 ? 'ALLOCATED-BY-RIR' : 'ALLOCATED PA',
    purpose: 'institutions',
    ...RPSL,
    ...over,
  });
}

export async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/**
 * What a request test needs: a job runner working the workflow's queues (external steps,
 * notifications), an institution, and its technical contact's context. Stop the runner after.
 */
export async function requestWorld(
  database: Database,
  /** ipam's variables for this test (IPAM_AUTO_APPROVE, RIPE_API_URL…). */
  vars: Record<string, string> = {},
): Promise<{ runner: JobRunner; env: Env; inst: { id: string; siteId: string }; tech: RequestContext }> {
  const env = ipamEnv(database, vars);
  const runner = createJobRunner(database, {
    definitions: [externalStepJob(env), ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(runner);
  await runner.start();
  const inst = await institution(database.db);
  const [c] = await database.db
    .insert(contacts)
    .values({ institutionId: inst.id, name: 'Tech', email: 't@x.example' })
    .returning();
  await database.db
    .insert(contactRoles)
    .values({ contactId: c!.id, institutionId: inst.id, role: 'technical' });
  const tech = newRequestContext({
    actor: {
      kind: 'contact',
      id: c!.id,
      displayName: 'Tech',
      institutionId: inst.id,
      roles: ['technical'],
      credential: { method: 'token', tokenId: newId(), scope: 'write' },
    },
  });
  return { runner, env, inst, tech };
}

/** An env composing the ipam line only, with the given variables (and a runner, if any). */
export function ipamEnv(database: Database, vars: Record<string, string> = {}) {
  return createEnv({ database, lines: [ipamLine], vars });
}
