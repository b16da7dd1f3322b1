import { createLogger, loadConfig, newId, newRequestContext, type RequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions, luhnComplete, sites } from '@guichet/membership';
import { type EppStandin, freshDatabase, startEppStandin } from '@guichet/testkit';
import {
  type ComposedEnv,
  createEnv,
  externalStepJob,
  getRequest,
  notifyJobs,
  type RequestRow,
} from '@guichet/workflow';
import type { DnsGate, PrdPublisher } from '../config.js';
import { Registry } from '../epp/registry.js';
import { EppSession } from '../epp/session.js';
import { domainsLine } from '../line.js';

/**
 * The domains world for db-tier tests: a fresh database, a job runner for the external steps,
 * an institution under contract (or under tutelle) with a head, two technical contacts and an
 * administrative contact, and the stand-in AFNIC registry behind a real EPP session.
 */

export const staff = (roles: ('noc' | 'desk')[]): RequestContext =>
  newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username: roles.join('-'),
      displayName: roles.join('/'),
      roles,
      credential: { method: 'session', scope: 'write' },
    },
  });

export interface Member {
  id: string;
  head: RequestContext;
  tech: RequestContext;
  techIds: string[];
  adminId: string;
}

let seq = 0;

export async function addMember(database: Database, kind: 'tutelle' | 'contrat'): Promise<Member> {
  const db = database.db;
  const n = ++seq;
  const [i] = await db
    .insert(institutions)
    .values({
      name: `Institut ${kind} ${n}`,
      shortName: `IN${kind}${n}${Date.now() % 1e5}`,
      kind,
      siren: luhnComplete(String(20_000_000 + Math.floor(Math.random() * 70_000_000))),
      collector: 'RRTHD',
    })
    .returning();
  const id = String(i?.id);
  await db
    .insert(sites)
    .values({ institutionId: id, name: 'Campus', address: '1 rue', city: 'Lyon', main: true });
  const person = async (name: string, roles: ('head' | 'technical' | 'administrative')[]) => {
    const [c] = await db
      .insert(contacts)
      .values({ institutionId: id, name, email: `${name.toLowerCase().replace(/\s/g, '.')}.${n}@inst.fr` })
      .returning();
    const cid = String(c?.id);
    for (const role of roles)
      await db.insert(contactRoles).values({ contactId: cid, institutionId: id, role });
    const ctx = newRequestContext({
      actor: {
        kind: 'contact',
        id: cid,
        displayName: name,
        institutionId: id,
        roles,
        credential: { method: 'token', tokenId: newId(), scope: 'write' },
      },
    });
    return { ctx, id: cid };
  };
  const head = await person('Directrice Générale', ['head']);
  const tech = await person('Tech One', ['technical']);
  const tech2 = await person('Tech Two', ['technical']);
  const admin = await person('Admin Person', ['administrative']);
  return { id, head: head.ctx, tech: tech.ctx, techIds: [tech.id, tech2.id], adminId: admin.id };
}

export interface World {
  database: Database;
  env: ComposedEnv;
  runner: JobRunner;
  standin: EppStandin;
  session: EppSession;
  registry: Registry;
  stop(): Promise<void>;
}

export async function startWorld(
  opts: { reserved?: Record<string, string>; gate?: DnsGate; prd?: PrdPublisher } = {},
): Promise<World> {
  const database = await freshDatabase();
  const standin = await startEppStandin({ reserved: opts.reserved ?? { 'paris.fr': 'City name' } });
  const session = new EppSession(
    {
      host: standin.host,
      port: standin.port,
      clID: standin.clID,
      password: standin.password,
      ca: standin.ca,
      servername: 'localhost',
    },
    { helloIntervalMs: 0 },
  );
  const registry = new Registry(session, standin.clID);
  const env = createEnv({
    database,
    lines: [domainsLine],
    runtimes: {
      domains: (built) => ({ ...built, registry, gate: opts.gate ?? null, prd: opts.prd ?? null }),
    },
  });
  const runner = createJobRunner(database, {
    definitions: [externalStepJob(env), ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(runner);
  await runner.start();
  return {
    database,
    env,
    runner,
    standin,
    session,
    registry,
    async stop() {
      await runner.stop();
      await session.close();
      await standin.stop();
      await database.close();
    },
  };
}

/** Waits until the request leaves the step it is at (or settles). */
export async function waitFor(w: World, id: string, until: (r: RequestRow) => boolean): Promise<RequestRow> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await getRequest(w.database.db, staff(['noc']), id);
    if (until(r)) return r;
    if (Date.now() > deadline)
      throw new Error(`request ${id} still ${r.status} at ${r.currentStep} (${r.reason ?? ''})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Drives a registration through every step (gate not installed): the domain ends active. */
export async function registerActive(
  w: World,
  m: Member,
  name: string,
  nameservers = [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }],
) {
  const { actOnStep, fileRequest, requestDocument } = await import('@guichet/workflow');
  const db = w.database.db;
  const r = await fileRequest(db, m.tech, w.env, {
    kind: 'domains.registration',
    institutionId: m.id,
    payload: { name, adminContactId: m.adminId, techContactIds: m.techIds, nameservers },
  });
  await waitFor(w, r.id, (x) => x.currentStep === 'signature');
  const doc = await requestDocument(db, w.env, await getRequest(db, m.head, r.id));
  await actOnStep(db, m.head, w.env, {
    requestId: r.id,
    step: 'signature',
    decision: 'approve',
    data: { documentHash: doc?.hash },
  });
  await actOnStep(db, staff(['desk']), w.env, {
    requestId: r.id,
    step: 'administrative',
    decision: 'approve',
  });
  await waitFor(w, r.id, (x) => x.currentStep === 'technical');
  await actOnStep(db, staff(['noc']), w.env, { requestId: r.id, step: 'technical', decision: 'approve' });
  const done = await waitFor(w, r.id, (x) => x.status !== 'in_progress');
  if (done.status !== 'completed') throw new Error(`registration of ${name}: ${done.status} ${done.reason}`);
  return r.id;
}
