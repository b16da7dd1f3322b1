import { createLogger, loadConfig, newId, newRequestContext, type RequestContext } from '@guichet/core';
import { type Database, desc, eq } from '@guichet/db';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions, sites } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { bindWorkflowJobs, fileRequest, notifyJobs, workflowJobs } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawForAssignment } from './service.js';
import { checks, delegations, parentZones, parentZoneVersions } from './tables.js';
import { RDNS_DELEGATION } from './workflow.js';
import { checkZoneText } from './zonefile.js';

const noc = (): RequestContext =>
  newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username: 'noc',
      displayName: 'NOC',
      roles: ['noc'],
      credential: { method: 'session', scope: 'write' },
    },
  });
const RPSL = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['EXAMPLE-MNT'], country: 'FR' };
const NS = [{ name: 'ns1.univ-rdns.fr' }, { name: 'ns2.univ-rdns.fr' }];

describe(`rdns.delegation on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let inst: string;
  let tech: RequestContext;
  let a48: { id: string; prefix: string };
  let a26: { id: string; prefix: string };
  beforeAll(async () => {
    database = await freshDatabase();
    runner = createJobRunner(database, {
      definitions: [...workflowJobs, ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
      logger: createLogger('silent'),
      pollingIntervalSeconds: 0.5,
    });
    bindWorkflowJobs(database, runner);
    await runner.start();
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
    inst = i!.id;
    await db
      .insert(sites)
      .values({ institutionId: inst, name: 'Campus', address: '1 rue', city: 'Lyon', main: true });
    const [c] = await db
      .insert(contacts)
      .values({ institutionId: inst, name: 'Tech', email: 't@x.example' })
      .returning();
    await db.insert(contactRoles).values({ contactId: c!.id, institutionId: inst, role: 'technical' });
    tech = newRequestContext({
      actor: {
        kind: 'contact',
        id: c!.id,
        displayName: 'Tech',
        institutionId: inst,
        roles: ['technical'],
        credential: { method: 'token', tokenId: newId(), scope: 'write' },
      },
    });
    const p6 = await createPool(db, noc(), {
      name: 'v6',
      prefix: '2001:660::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      ...RPSL,
    });
    const p4 = await createPool(db, noc(), {
      name: 'v4',
      prefix: '193.48.0.0/16',
      status: 'ALLOCATED PA',
      purpose: 'institutions',
      ...RPSL,
    });
    const alloc = (poolId: string, length: number) =>
      allocatePrefix(db, noc(), {
        poolId,
        length,
        institutionId: inst,
        purpose: 'campus',
        justification: 'LAN',
      });
    a48 = await alloc(p6.id, 48);
    a26 = await alloc(p4.id, 26);
    const parent = {
      serverAddress: '127.0.0.1',
      serverPort: 53,
      mname: 'ns.nren.example',
      rname: 'hostmaster.nren.example',
      nameservers: ['ns.nren.example', 'ns2.nren.example'],
    };
    await db.insert(parentZones).values([
      { zone: '0.6.6.0.1.0.0.2.ip6.arpa', prefix: '2001:660::/32', ...parent },
      { zone: '48.193.in-addr.arpa', prefix: '193.48.0.0/16', ...parent },
    ]);
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  const file = (payload: object) =>
    fileRequest(database.db, tech, runner, { kind: RDNS_DELEGATION, institutionId: inst, payload });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const latest = async (zone: string) => {
    const [pz] = await database.db.select().from(parentZones).where(eq(parentZones.zone, zone));
    const [v] = await database.db
      .select()
      .from(parentZoneVersions)
      .where(eq(parentZoneVersions.parentZoneId, pz!.id))
      .orderBy(desc(parentZoneVersions.serial))
      .limit(1);
    return v!;
  };

  it('a technical contact delegates the /48 and the /26; parent zones are published and pass named-checkzone', async () => {
    expect(a48.prefix).toMatch(/^2001:660:/);
    const z48 = (await import('@guichet/net')).reverseZones(a48.prefix)[0]!.zone;
    const r1 = await file({
      zone: z48,
      nameservers: NS,
      ds: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'a'.repeat(64) }],
    });
    expect(r1.status).toBe('completed');
    const z26 = (await import('@guichet/net')).reverseZones(a26.prefix)[0]!;
    expect(z26.kind).toBe('rfc2317');
    const r2 = await file({ zone: z26.zone, nameservers: NS });
    expect(r2.status).toBe('completed');

    const v6 = await latest('0.6.6.0.1.0.0.2.ip6.arpa');
    expect(v6.text).toContain(`${z48}. 86400 IN NS ns1.univ-rdns.fr.`);
    expect(v6.text).toContain(`${z48}. 86400 IN DS 1 13 2 ${'A'.repeat(64)}`);
    expect((await checkZoneText('0.6.6.0.1.0.0.2.ip6.arpa', v6.text)).ok).toBe(true);

    const v4 = await latest('48.193.in-addr.arpa');
    expect(v4.text).toContain(`${z26.zone}. 86400 IN NS ns2.univ-rdns.fr.`);
    expect(v4.text.split('\n').filter((l) => l.includes(' CNAME '))).toHaveLength(64);
    expect((await checkZoneText('48.193.in-addr.arpa', v4.text)).ok).toBe(true);

    const rows = await database.db.select().from(delegations).where(eq(delegations.institutionId, inst));
    expect(rows.map((r) => r.state)).toEqual(['published', 'published']);
    const runs = await database.db.select().from(checks);
    expect(runs).toHaveLength(2);
    expect(runs[0]!.findings[0]!.code).toBe('CHECKER_NOT_AVAILABLE');
  });

  it('refusals: zone outside its assignments, one name server, SHA-1 DS, zone already delegated', async () => {
    expect(await refusal(file({ zone: '9.48.193.in-addr.arpa', nameservers: NS }))).toMatchObject({
      code: 'POLICY_REFUSAL',
      rule: 'rdns.zone-not-assigned',
    });
    const z48 = (await import('@guichet/net')).reverseZones(a48.prefix)[0]!.zone;
    expect(await refusal(file({ zone: z48, nameservers: [NS[0]] }))).toMatchObject({ code: 'VALIDATION' });
    expect(
      await refusal(
        file({
          zone: z48,
          nameservers: NS,
          ds: [{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'a'.repeat(40) }],
        }),
      ),
    ).toMatchObject({ code: 'POLICY_REFUSAL', rule: 'rdns.ds-digest-type' });
    expect(await refusal(file({ zone: z48, nameservers: NS }))).toMatchObject({ code: 'CONFLICT' });
  });

  it('withdrawing for a returned assignment removes the records from a new parent zone version', async () => {
    const before = await latest('48.193.in-addr.arpa');
    const n = await database.db.transaction((tx) => withdrawForAssignment(tx, noc(), a26.id));
    expect(n).toBe(1);
    const after = await latest('48.193.in-addr.arpa');
    expect(after.serial).toBeGreaterThan(before.serial);
    expect(after.text).not.toContain(' CNAME ');
  });
});
