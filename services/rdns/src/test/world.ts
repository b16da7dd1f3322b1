import { join } from 'node:path';
import { createLogger, loadConfig, newId, newRequestContext, type RequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { knotPublisher } from '@guichet/dns';
import { allocatePrefix, createPool, ipamLine } from '@guichet/ipam';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions, sites } from '@guichet/membership';
import { reverseZones } from '@guichet/net';
import { freeTcpPort, freshDatabase, type Knot, signZone, startKnot } from '@guichet/testkit';
import { type ComposedEnv, createEnv, externalStepJob, notifyJobs } from '@guichet/workflow';
import { makeChecker } from '../config.js';
import { rdnsLine } from '../line.js';
import { type DsRecord, renderParentZone } from '../model.js';
import { parentZones } from '../tables.js';

/**
 * A whole reverse-DNS world on loopback for the service tests: an institution with a technical
 * contact and an active IPv6 /48 and IPv4 /26; the operator's Knot (127.0.0.1) serving both
 * parent zones, into which Guichet publishes; the institution's two name servers, Knot on
 * 127.0.0.2 and 127.0.0.3 (same port), serving the /48's nibble zone (signed, whose DS
 * comes from BIND's dnssec-signzone and dnssec-dsfromkey) and the /26's RFC 2317 zone. The real checker and the
 * Knot publisher are in the env; the lame-repair delay is 1 s.
 */

export const NS = [{ name: 'ns1.univ-rdns.fr' }, { name: 'ns2.univ-rdns.fr' }];
const PARENTS = [
  { zone: '0.6.6.0.1.0.0.2.ip6.arpa', prefix: '2001:660::/32' },
  { zone: '48.193.in-addr.arpa', prefix: '193.48.0.0/16' },
];
const RPSL = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['EXAMPLE-MNT'], country: 'FR' };

export function nocContext(): RequestContext {
  return newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username: 'noc',
      displayName: 'NOC',
      roles: ['noc'],
      credential: { method: 'session', scope: 'write' },
    },
  });
}

/** The institution's zone text as its servers serve it. */
export function childZone(zone: string, extra: string[] = []): string {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    `@ IN SOA ${NS[0]?.name}. hostmaster.univ-rdns.fr. 2026112301 14400 3600 1209600 3600`,
    ...NS.map((n) => `@ IN NS ${n.name}.`),
    ...extra,
  ].join('\n');
}

export interface World {
  database: Database;
  runner: JobRunner;
  /** ipam + rdns composed, with the real checker and the Knot publisher of this world. */
  env: ComposedEnv;
  inst: string;
  techContactId: string;
  tech: RequestContext;
  a48: { id: string; prefix: string };
  a26: { id: string; prefix: string };
  z48: string;
  z26: string;
  ds48: DsRecord;
  parent: Knot;
  servers: Knot[];
  port: number;
  /** Starts the institution's second name server again (after a test stopped it). */
  restartSecond(): Promise<Knot>;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const database = await freshDatabase();
  const db = database.db;
  const [i] = await db
    .insert(institutions)
    .values({
      name: 'Université RDNS',
      shortName: `RD${Date.now() % 1e6}`,
      kind: 'tutelle',
      siren: '123456789',
      collector: 'RRTHD',
    })
    .returning();
  const inst = String(i?.id);
  await db
    .insert(sites)
    .values({ institutionId: inst, name: 'Campus', address: '1 rue', city: 'Lyon', main: true });
  const [c] = await db
    .insert(contacts)
    .values({ institutionId: inst, name: 'Tech', email: 'tech@univ-rdns.fr' })
    .returning();
  const techContactId = String(c?.id);
  await db.insert(contactRoles).values({ contactId: techContactId, institutionId: inst, role: 'technical' });
  const tech = newRequestContext({
    actor: {
      kind: 'contact',
      id: techContactId,
      displayName: 'Tech',
      institutionId: inst,
      roles: ['technical'],
      credential: { method: 'token', tokenId: newId(), scope: 'write' },
    },
  });
  const pool = (name: string, prefix: string, status: 'ALLOCATED-BY-RIR' | 'ALLOCATED PA') =>
    createPool(db, nocContext(), { name, prefix, status, purpose: 'institutions', ...RPSL });
  const p6 = await pool('v6', '2001:660::/32', 'ALLOCATED-BY-RIR');
  const p4 = await pool('v4', '193.48.0.0/16', 'ALLOCATED PA');
  const alloc = (poolId: string, length: number) =>
    allocatePrefix(db, nocContext(), {
      poolId,
      length,
      institutionId: inst,
      purpose: 'campus',
      justification: 'LAN',
    });
  const a48 = await alloc(p6.id, 48);
  const a26 = await alloc(p4.id, 26);
  const z48 = String(reverseZones(a48.prefix)[0]?.zone);
  const z26 = String(reverseZones(a26.prefix)[0]?.zone);

  const head = (zone: string) => ({
    zone,
    serial: 1,
    mname: 'ns.nren.example',
    rname: 'hostmaster.nren.example',
    nameservers: ['ns.nren.example', 'ns2.nren.example'],
  });
  const parent = await startKnot({
    zones: PARENTS.map((p) => ({ name: p.zone, text: renderParentZone(head(p.zone), []) })),
  });
  await db.insert(parentZones).values(
    PARENTS.map((p) => ({
      ...head(p.zone),
      prefix: p.prefix,
      serverAddress: parent.address,
      serverPort: parent.port,
    })),
  );

  const port = await freeTcpPort('127.0.0.2');
  // The /48's zone is signed (a DS goes only to a signed zone), by BIND's dnssec-signzone.
  const signed48 = signZone(z48, childZone(z48, ['1 IN PTR host1.univ-rdns.fr.']));
  const served = [
    { name: z48, text: signed48.text },
    { name: z26, text: childZone(z26, ['100 IN PTR host100.univ-rdns.fr.']) },
  ];
  const start = (address: string) => startKnot({ listen: address, port, zones: served });
  const servers = await Promise.all([start('127.0.0.2'), start('127.0.0.3')]);
  const addressOf: Record<string, string> = {
    'ns1.univ-rdns.fr': '127.0.0.2',
    'ns2.univ-rdns.fr': '127.0.0.3',
  };
  const checker = makeChecker({
    port,
    timeoutMs: 1000,
    resolve: async (name) => {
      const address = addressOf[name.toLowerCase().replace(/\.$/, '')];
      return address ? [{ address, port }] : [];
    },
  });
  const publisher = knotPublisher({ conf: parent.conf, zoneDir: join(parent.dir, 'zones') });
  const env = createEnv({
    database,
    lines: [ipamLine, rdnsLine],
    vars: { RDNS_REPAIR_DELAY_SECONDS: '1' },
    runtimes: { rdns: (built) => ({ ...built, checker, publisher }) },
  });
  const runner = createJobRunner(database, {
    definitions: [externalStepJob(env), ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(runner);
  await runner.start();

  const world: World = {
    database,
    runner,
    env,
    inst,
    techContactId,
    tech,
    a48,
    a26,
    z48,
    z26,
    ds48: signed48.ds,
    parent,
    servers,
    port,
    async restartSecond() {
      const k = await start('127.0.0.3');
      servers[1] = k;
      return k;
    },
    async stop() {
      await runner.stop();
      await Promise.all([parent, ...servers].map((k) => k.stop()));
      await database.close();
    },
  };
  return world;
}
