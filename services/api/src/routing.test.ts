import { type RequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { checkBirdConfig } from '@guichet/routing';
import { freshDatabase, until } from '@guichet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Api tier of routing (issue 6, "Done when"): a technical contact moves its institution to
 * another collector and adds a prefix over GraphQL; no human step; both collectors'
 * configurations change accordingly and pass `bird -p`. Each refusal is typed, names its
 * rule, and writes nothing; a provider-independent prefix without accepted evidence waits
 * for the NOC.
 */

const ERR =
  '... on Error { __typename code message } ... on ValidationError { issues { path message } } ... on PolicyRefusalError { rule }';
const CHANGE = `mutation($input: RequestRoutingChangeInput!) { r: requestRoutingChange(input: $input) {
  __typename ... on RequestRoutingChangePayload { request { id status currentStep } } ${ERR} } }`;
const APPROVE = `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "noc" }) {
  __typename ... on ApproveRequestStepPayload { request { id status currentStep } } ${ERR} } }`;
const REQUEST = `query($id: ID!) { request(id: $id) { status currentStep steps { name state } } }`;
const REQUEST_STATE = `query($id: ID!) { request(id: $id) { id status currentStep } }`;
const COLLECTOR = `query($id: ID!) { collector(id: $id) { name renderedConfig { version text hash birdCheck { ok errors } rejected } } }`;
const ROUTING = `query($id: ID!) { institution(id: $id) { routing {
  collector { id name } originAs announcements { prefix source } requests { id status } } } }`;

type App = Awaited<ReturnType<typeof testApp>>;

describe(`routing over GraphQL on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let t: App;
  let noc: string;
  let instA: string;
  let instB: string;
  let techA: string;
  let techB: string;
  const c = { west: '', east: '', tiny: '' };
  const a = { v6a: '', v6b: '', v4: '', v6B: '' };

  const count = async (table: string) =>
    Number((await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);
  const written = async () => ({
    announcements: await count('routing_announcements'),
    routed: await count('routing_institutions'),
    configs: await count('routing_configs'),
    requests: await count('workflow_requests'),
  });
  const config = async (id: string) =>
    (await t.gql(COLLECTOR, { id }, noc)).body.data.collector.renderedConfig;
  /**
   * The change's configuration deployment is an external step (no `bird -p` while a
   * transaction holds a lock): wait for it, then answer as the mutation would have at the end.
   */
  // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary response shapes
  const settle = async (body: any): Promise<any> => {
    const req = body.data?.r?.request as { id: string } | undefined;
    if (!req) return body;
    const done = await until(`request ${req.id} past deploy`, async () => {
      const r = (await t.gql(REQUEST_STATE, { id: req.id }, noc)).body.data.request;
      return r.status === 'IN_PROGRESS' && r.currentStep === 'deploy' ? undefined : r;
    });
    return { ...body, data: { ...body.data, r: { ...body.data?.r, request: { ...req, ...done } } } };
  };
  const change = async (input: Record<string, unknown>, token = techA) =>
    settle((await t.gql(CHANGE, { input }, token)).body);

  async function collector(name: string, n: number, importLimit: number) {
    const made = await t.gql(
      `mutation($input: CreateCollectorInput!) { r: createCollector(input: $input) { __typename ... on CreateCollectorPayload { collector { id } } ${ERR} } }`,
      { input: { name, asn: 65000 + n, routerId: `10.255.0.${n}`, region: `region ${n}` } },
      noc,
    );
    expect(made.body.data.r.__typename, JSON.stringify(made.body)).toBe('CreateCollectorPayload');
    const id = made.body.data.r.collector.id as string;
    const s = await t.gql(
      `mutation($input: CreateRoutingSessionInput!) { r: createSession(input: $input) { __typename ${ERR} } }`,
      {
        input: {
          collectorId: id,
          name: 'edge',
          peerAddress: `10.${n}.0.2`,
          localAddress: `10.${n}.0.1`,
          peerAsn: 64600 + n,
          importLimit,
        },
      },
      noc,
    );
    expect(s.body.data.r.__typename, JSON.stringify(s.body)).toBe('CreateSessionPayload');
    return id;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {}, { jobs: true });
    const nocStaff = await staffWithToken(database, 'noc-routing', ['noc']);
    noc = nocStaff.token;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    instB = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
    techA = await contactToken(database, instA);
    techB = await contactToken(database, instB);
    const nocCtx: RequestContext = {
      ...systemContext('test'),
      actor: {
        kind: 'staff',
        id: nocStaff.staff.id,
        username: 'noc',
        displayName: 'NOC',
        roles: ['noc'],
        credential: { method: 'session', scope: 'write' },
      },
    };
    const rpsl = {
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
      country: 'FR',
      purpose: 'institutions',
    };
    const v6 = await createPool(database.db, nocCtx, {
      name: 'v6',
      prefix: '2001:660::/32',
      status: 'ALLOCATED-BY-RIR',
      ...rpsl,
    });
    const v4 = await createPool(database.db, nocCtx, {
      name: 'v4',
      prefix: '193.48.0.0/16',
      status: 'ALLOCATED PA',
      ...rpsl,
    });
    const give = async (poolId: string, length: number, institutionId: string) =>
      (
        await allocatePrefix(database.db, nocCtx, {
          poolId,
          length,
          institutionId,
          purpose: 'campus',
          justification: 'campus network',
        })
      ).prefix;
    a.v6a = await give(v6.id, 48, instA);
    a.v6b = await give(v6.id, 48, instA);
    a.v4 = await give(v4.id, 24, instA);
    a.v6B = await give(v6.id, 48, instB);
    c.west = await collector('west', 1, 10);
    c.east = await collector('east', 2, 10);
    c.tiny = await collector('tiny', 3, 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });
  afterEach(() => {
    const crashes = t.crashes();
    t.logs.length = 0;
    expect(crashes).toEqual([]);
  });

  it('a technical contact moves its institution to another collector and adds a prefix: no human step, both configs regenerated and BIRD-valid', async () => {
    const first = await change({ institutionId: instA, collectorId: c.west, prefixes: [a.v4, a.v6a] });
    expect(first.data.r, JSON.stringify(first)).toMatchObject({ request: { status: 'COMPLETED' } });
    const west1 = await config(c.west);
    expect(west1).toMatchObject({ version: 1, birdCheck: { ok: true, errors: [] }, rejected: [] });
    expect(west1.text).toContain(a.v4);
    expect(west1.text).toContain(a.v6a);

    const moved = await change({ institutionId: instA, collectorId: c.east, prefixes: [a.v4, a.v6a, a.v6b] });
    expect(moved.data.r, JSON.stringify(moved)).toMatchObject({
      request: { status: 'COMPLETED', currentStep: null },
    });
    const steps = (await t.gql(REQUEST, { id: moved.data.r.request.id }, techA)).body.data.request.steps;
    expect(steps.map((s: { name: string }) => s.name)).toEqual(['check', 'noc', 'apply', 'deploy']);
    for (const s of steps) expect(s.state).toBe('DONE');

    const west2 = await config(c.west);
    const east1 = await config(c.east);
    expect(west2.version).toBe(2);
    expect(east1.version).toBe(1);
    for (const p of [a.v4, a.v6a, a.v6b]) {
      expect(west2.text).not.toContain(p);
      expect(east1.text).toContain(p);
    }
    for (const cfg of [west2, east1]) {
      expect(cfg.birdCheck.ok).toBe(true);
      expect(await checkBirdConfig(cfg.text)).toEqual({ ok: true, errors: [] });
    }

    const routing = (await t.gql(ROUTING, { id: instA }, techA)).body.data.institution.routing;
    expect(routing.collector.name).toBe('east');
    // The origin AS stays what it was (the first session's peer AS) unless the change names one.
    expect(routing.originAs).toBe(64601);
    expect(routing.announcements.map((x: { prefix: string }) => x.prefix)).toEqual([a.v4, a.v6a, a.v6b]);
    expect(routing.requests.map((r: { status: string }) => r.status)).toEqual(['COMPLETED', 'COMPLETED']);

    const objects = await t.gql(
      'query($id: ID!) { routeObjects(institutionId: $id) { prefix text roa { prefix maxLength asn } } }',
      { id: instA },
      techA,
    );
    expect(objects.body.data?.routeObjects, JSON.stringify(objects.body)).toHaveLength(3);
    expect(objects.body.data.routeObjects[0].text).toMatch(/^route: +193\.48\.0\.0\/24\n/);
    expect(objects.body.data.routeObjects[0].roa).toEqual({ prefix: a.v4, maxLength: 24, asn: 64601 });
  });

  it.each([
    ['a prefix of another institution', () => [a.v4, a.v6B], 'not-yours'],
    ['a bogon', () => [a.v4, '192.168.0.0/16'], 'bogon'],
    ['an IPv4 /25', () => ['193.48.0.0/25'], 'prefix-too-long'],
  ])('refuses %s: typed, naming the rule and the prefix, nothing written', async (_what, list, rule) => {
    const before = await written();
    const res = await change({ institutionId: instA, prefixes: list() });
    expect(res.data.r, JSON.stringify(res)).toMatchObject({ __typename: 'PolicyRefusalError', rule });
    expect(res.data.r.message).toMatch(/input\.prefixes\.\d/);
    expect(res.data.r.message).not.toContain(DEMO_INSTITUTIONS[1]!.shortName);
    expect(await written()).toEqual(before);
  });

  it('refuses a session over its import limit, and a prefix listed twice as a field error', async () => {
    const before = await written();
    const over = await change({ institutionId: instA, collectorId: c.tiny, prefixes: [a.v4, a.v6a] });
    expect(over.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'import-limit' });
    const bad = await change({ institutionId: instA, prefixes: [a.v4, a.v4] });
    expect(bad.data.r.__typename).toBe('ValidationError');
    expect(bad.data.r.issues[0].path).toEqual(['input', 'prefixes', '1']);
    expect(await written()).toEqual(before);
  });

  it('a PI prefix waits for the NOC; once accepted, another institution cannot announce it (rule, then the exclusion constraint)', async () => {
    const pi = '185.10.0.0/22';
    const filed = await change(
      {
        institutionId: instB,
        collectorId: c.west,
        prefixes: [a.v6B, pi],
        piEvidence: [{ prefix: pi, evidence: 'RIPE inetnum ORG-B' }],
      },
      techB,
    );
    expect(filed.data.r, JSON.stringify(filed)).toMatchObject({
      request: { status: 'IN_PROGRESS', currentStep: 'noc' },
    });
    expect(await count('routing_announcements')).toBe(3); // A's only: nothing applied yet
    const self = await t.gql(APPROVE, { id: filed.data.r.request.id }, techB);
    expect(self.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ok = await t.gql(APPROVE, { id: filed.data.r.request.id }, noc);
    const approved = await settle(ok.body);
    expect(approved.data?.r, JSON.stringify(ok.body)).toMatchObject({ request: { status: 'COMPLETED' } });
    expect((await config(c.west)).text).toContain(pi);

    // Accepted once: the same PI again needs no NOC.
    const again = await change({ institutionId: instB, prefixes: [pi] }, techB);
    expect(again.data.r).toMatchObject({ request: { status: 'COMPLETED' } });

    const before = await written();
    const taken = await change({ institutionId: instA, prefixes: [a.v4, '185.10.1.0/24'] });
    expect(taken.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'announced-elsewhere' });
    // Which institution holds it is not A's to learn (issue #21: "announced for FES").
    expect(taken.data.r.message).toMatch(/announced for another institution$/);
    expect(taken.data.r.message).not.toContain(DEMO_INSTITUTIONS[1]!.shortName);
    expect(await written()).toEqual(before);
    await expect(
      database.query(
        "INSERT INTO routing_announcements (institution_id, prefix, family, source) VALUES ($1, '185.10.0.0/22', 4, 'pi')",
        [instA],
      ),
    ).rejects.toThrow(/routing_announcements_one_institution/);

    // Without evidence, a new PI prefix waits for the NOC too; nothing changes meanwhile.
    const waiting = await change({ institutionId: instA, prefixes: [a.v4, a.v6a, a.v6b, '185.20.0.0/24'] });
    expect(waiting.data.r).toMatchObject({ request: { status: 'IN_PROGRESS', currentStep: 'noc' } });
    expect(await written()).toEqual({ ...before, requests: before.requests + 1 });
  });

  it('contacts read collector names; router ids, sessions and configs are the operator’s', async () => {
    const list = await t.gql('{ collectors { name region asn } }', {}, techA);
    expect(list.body.data.collectors.map((x: { name: string }) => x.name)).toEqual(['east', 'tiny', 'west']);
    const config = await t.gql(COLLECTOR, { id: c.west }, techA);
    expect(config.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await t.gql(ROUTING, { id: instA }, techB);
    expect(other.body.data?.institution ?? null).toBeNull();
  });
});
