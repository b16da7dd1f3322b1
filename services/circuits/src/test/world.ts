import { randomInt } from 'node:crypto';
import {
  type Actor,
  createLogger,
  loadConfig,
  newId,
  newRequestContext,
  type RequestContext,
} from '@guichet/core';
import { type Database, type Db, one } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { agreementVersions, contactRoles, contacts, institutions, sites } from '@guichet/membership';
import { type ComposedEnv, createEnv, externalStepJob, notifyJobs } from '@guichet/workflow';
import { circuitsLine } from '../line.js';
import {
  addSiteAccess,
  createDevice,
  createHandoff,
  createPop,
  createPort,
  createRegionalNetwork,
  setRdAdministrator,
} from '../service/inventory/index.js';
import { circuits } from '../tables.js';

/** Fixtures shared by the circuits tests: contexts, institutions with sites, an inventory. */

export function staffActor(roles: ('noc' | 'desk' | 'admin')[] = ['noc']): Actor {
  return {
    kind: 'staff',
    id: newId(),
    username: roles.join('-'),
    displayName: 'NOC',
    roles,
    credential: { method: 'session', scope: 'write' },
  };
}

export const noc = (): RequestContext => newRequestContext({ actor: staffActor(['noc']) });

export interface Inst {
  id: string;
  shortName: string;
  sites: string[];
  tech: RequestContext;
}

let n = 0;
/** An open institution whose active agreement opens circuits, with `siteCount` sites and a technical contact. */
export async function institution(db: Db, siteCount = 2, services = ['circuits']): Promise<Inst> {
  const shortName = `UNIV-${++n}-${randomInt(1e6)}`;
  const inst = one(
    await db
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
  const siteIds: string[] = [];
  for (let i = 0; i < siteCount; i++) {
    const s = one(
      await db
        .insert(sites)
        .values({
          institutionId: inst.id,
          name: `Site ${i + 1}`,
          address: `${i + 1} rue`,
          city: 'Caen',
          main: i === 0,
        })
        .returning(),
    );
    siteIds.push(s.id);
  }
  await db.insert(agreementVersions).values({
    institutionId: inst.id,
    version: 1,
    status: 'active',
    conventionRef: 'CONV',
    charterRef: 'CHARTE',
    bandwidthMbps: 1000,
    services,
    documentHash: 'f'.repeat(64),
    signedDocument: 'signed',
    signedAt: new Date(),
    signedByName: 'Head',
    activatedBy: 'test',
    activatedAt: new Date(),
    createdBy: 'test',
  });
  const c = one(
    await db
      .insert(contacts)
      .values({ institutionId: inst.id, name: 'Tech', email: `tech.${shortName}@x.example` })
      .returning(),
  );
  await db.insert(contactRoles).values({ contactId: c.id, institutionId: inst.id, role: 'technical' });
  const tech = newRequestContext({
    actor: {
      kind: 'contact',
      id: c.id,
      displayName: 'Tech',
      institutionId: inst.id,
      roles: ['technical'],
      credential: { method: 'token', tokenId: newId(), scope: 'write' },
    },
  });
  return { id: inst.id, shortName, sites: siteIds, tech };
}

let dev = 0;
/** A PoP with one access device; `port()` adds ports to it. */
export async function device(db: Db) {
  const k = ++dev;
  const ctx = noc();
  const pop = await createPop(db, ctx, { code: `POP${k}${randomInt(1e4)}`, name: `PoP ${k}`, city: 'Caen' });
  const d = await createDevice(db, ctx, {
    popId: pop.id,
    name: `acc${k}-${randomInt(1e6)}`,
    routerId: `10.${200 + (k % 50)}.${randomInt(256)}.${randomInt(1, 255)}`,
  });
  let p = 0;
  return {
    pop,
    device: d,
    port: (over: Partial<Parameters<typeof createPort>[2]> = {}) =>
      createPort(db, ctx, {
        deviceId: d.id,
        name: `xe-0/0/${p++}`,
        speedMbps: 10000,
        l2Mtu: 9216,
        mode: 'shared',
        vlanRanges: [
          { from: 100, to: 199 },
          { from: 1000, to: 1099 },
        ],
        ...over,
      }),
  };
}

/** A regional network with a handoff on a new shared port of `d`. */
export async function regional(
  db: Db,
  d: Awaited<ReturnType<typeof device>>,
  l2Mtu = 9000,
  translation = false,
) {
  const ctx = noc();
  const rn = await createRegionalNetwork(db, ctx, {
    name: `RN${randomInt(1e6)}`,
    operator: 'Région Normandie',
    l2Mtu: 1600,
  });
  const port = await d.port({ vlanRanges: [{ from: 2000, to: 2099 }] });
  const handoff = await createHandoff(db, ctx, {
    regionalNetworkId: rn.id,
    portId: port.id,
    name: 'caen',
    l2Mtu,
    translation,
  });
  return { rn, port, handoff };
}

export function access(db: Db, siteId: string, portId: string) {
  return addSiteAccess(db, noc(), { siteId, portId });
}

export function rdAdministrator(db: Db, over: Partial<Parameters<typeof setRdAdministrator>[2]> = {}) {
  return setRdAdministrator(db, noc(), {
    administrator: '2200',
    rdFrom: 1000,
    rdTo: 4294967295,
    rtFrom: 1000,
    rtTo: 4294967295,
    ...over,
  });
}

/** A bare circuit row (for allocation tests that need something to hold VLANs). */
export async function bareCircuit(db: Db, institutionId: string) {
  return one(
    await db
      .insert(circuits)
      .values({
        institutionId,
        requestId: newId(),
        name: 'bare',
        topology: 'p2p',
        service: 'ethernet',
        bandwidthMbps: 10,
      })
      .returning(),
  );
}

export async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** An env composing the circuits line (with `vars`) and a runner of the workflow's jobs. Stop it after. */
export async function circuitsWorld(
  database: Database,
  vars: Record<string, string> = {},
): Promise<{ env: ComposedEnv; runner: JobRunner }> {
  const env = createEnv({ database, lines: [circuitsLine], vars });
  const runner = createJobRunner(database, {
    definitions: [externalStepJob(env), ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(runner);
  await runner.start();
  return { env, runner };
}
