import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, listSites, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Api tier of ipam: a technical contact asks for a /48 and an IPv4 /26 over GraphQL, the NOC
 * approves, the assignments are active with the right RPSL text; another institution sees
 * none of it; pools show their utilisation and free blocks; bad input gets typed errors.
 */

const ERR =
  '... on Error { __typename code message } ... on ValidationError { issues { path message } } ... on PolicyRefusalError { rule }';
const REQUEST_PREFIX = `mutation($input: RequestPrefixInput!) { r: requestPrefix(input: $input) {
  __typename ... on RequestPrefixPayload { request { id status currentStep } } ${ERR} } }`;
const APPROVE = `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "approval" }) {
  __typename ... on ApproveRequestStepPayload { request { id status currentStep } } ${ERR} } }`;
const REQUEST = `query($id: ID!) { request(id: $id) { status currentStep assignment { id prefix lifecycle } steps { name state attempts lastError } } }`;
const POOL = `query($id: ID!) { pool(id: $id) {
  prefix ripeStatus strategy assignmentCount largestFreeBlock utilisation { unitLength size used reserved free ratio } } }`;
const CREATE_POOL = `mutation($input: CreatePoolInput!) { r: createPool(input: $input) {
  __typename ... on CreatePoolPayload { pool { id prefix strategy } } ${ERR} } }`;
const ASSIGN = `mutation($input: AssignPrefixInput!) { r: assignPrefix(input: $input) {
  __typename ... on AssignPrefixPayload { assignment { id prefix lifecycle } } ${ERR} } }`;
const PREFIXES = `query($id: ID!, $first: Int, $after: String) { institution(id: $id) {
  prefixes(lifecycle: ACTIVE, first: $first, after: $after) { edges { node {
  id prefix family ripeStatus lifecycle netname mntBy source purpose justification requestId site { name } rpsl } }
  pageInfo { hasNextPage endCursor } } } }`;
const nodes = (c: { edges: { node: Record<string, unknown> }[] }) => c.edges.map((e) => e.node);

type App = Awaited<ReturnType<typeof testApp>>;

describe(`ipam over GraphQL on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let t: App;
  let noc: string;
  let instA: string;
  let instB: string;
  let siteA: string;
  let techA: string;
  let techB: string;
  let v6: string;
  let v4: string;
  const made: Record<string, { id: string; prefix: string }> = {};

  const count = async (table: string) =>
    Number((await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);

  async function createPool(input: Record<string, unknown>) {
    const res = await t.gql(CREATE_POOL, { input }, noc);
    expect(res.body.data.r.__typename, JSON.stringify(res.body)).toBe('CreatePoolPayload');
    return res.body.data.r.pool.id as string;
  }
  const pool = async (id: string) => (await t.gql(POOL, { id }, noc)).body.data.pool;

  async function settled(id: string, token: string) {
    for (let i = 0; i < 150; i++) {
      const r = (await t.gql(REQUEST, { id }, token)).body.data.request;
      if (r.status !== 'IN_PROGRESS' || r.currentStep !== 'register') return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`request ${id} did not settle`);
  }

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {}, { jobs: true });
    noc = (await staffWithToken(database, 'noc-ipam', ['noc'])).token;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    instB = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
    siteA = (await listSites(database.db, instA))[0]!.id;
    techA = await contactToken(database, instA);
    techB = await contactToken(database, instB);
    // Documentation space (the assertions name it): accepted as a test pool.
    const rpsl = {
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
      country: 'FR',
      acceptBogon: true,
    };
    v6 = await createPool({
      name: 'IPv6 LIR',
      prefix: '2001:db8::/32',
      ripeStatus: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      ...rpsl,
    });
    v4 = await createPool({
      name: 'IPv4 LIR',
      prefix: '192.0.2.0/24',
      ripeStatus: 'ALLOCATED PA',
      purpose: 'institutions',
      ...rpsl,
    });
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

  it('shows a new pool whole: no use, its prefix as the largest free block, default strategies', async () => {
    expect(await pool(v6)).toMatchObject({
      prefix: '2001:db8::/32',
      ripeStatus: 'ALLOCATED-BY-RIR',
      strategy: 'SPARSE',
      assignmentCount: 0,
      largestFreeBlock: '2001:db8::/32',
      utilisation: { unitLength: 64, size: 2 ** 32, used: 0, reserved: 0, free: 2 ** 32, ratio: 0 },
    });
    expect(await pool(v4)).toMatchObject({
      strategy: 'BEST_FIT',
      largestFreeBlock: '192.0.2.0/24',
      utilisation: { unitLength: 32, size: 256, used: 0, free: 256 },
    });
  });

  it('a technical contact asks for a /48 and an IPv4 /26, the NOC approves: both active, listed, right RPSL', async () => {
    const asks = {
      v6: { institutionId: instA, family: 'IPV6', length: 48, siteId: siteA, purpose: 'campus' },
      v4: {
        institutionId: instA,
        family: 'IPV4',
        length: 26,
        purpose: 'lab',
        justification: '40 hosts in the physics lab within a year',
      },
    };
    for (const [key, input] of Object.entries(asks)) {
      const filed = await t.gql(REQUEST_PREFIX, { input }, techA);
      expect(filed.body.data.r, JSON.stringify(filed.body)).toMatchObject({
        __typename: 'RequestPrefixPayload',
        request: { status: 'IN_PROGRESS' },
      });
      const { id, currentStep } = filed.body.data.r.request as { id: string; currentStep: string };
      // IPv4 always waits for the NOC; the first /48 of a site may be approved by policy
      // (IPAM_AUTO_APPROVE), else the NOC approves it too.
      if (key === 'v4') expect(currentStep).toBe('approval');
      if (currentStep === 'approval') {
        // The contact cannot approve their own request: the NOC does.
        const self = await t.gql(APPROVE, { id }, techA);
        expect(self.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        const ok = await t.gql(APPROVE, { id }, noc);
        expect(ok.body.data.r.__typename, JSON.stringify(ok.body)).toBe('ApproveRequestStepPayload');
      }
      const done = await settled(id, techA);
      expect(done, JSON.stringify(done)).toMatchObject({
        status: 'COMPLETED',
        assignment: { lifecycle: 'ACTIVE' },
      });
      made[key] = done.assignment;
    }
    expect(made.v6!.prefix).toBe('2001:db8::/48');
    expect(made.v4!.prefix).toBe('192.0.2.0/26');

    const res = await t.gql(PREFIXES, { id: instA }, techA);
    const list = nodes(res.body.data.institution.prefixes);
    expect(list.map((a) => a.prefix)).toEqual(['192.0.2.0/26', '2001:db8::/48']);
    // Paged like every list: one per page, the cursor leads to the next.
    const p1 = (await t.gql(PREFIXES, { id: instA, first: 1 }, techA)).body.data.institution.prefixes;
    expect([nodes(p1).map((a) => a.prefix), p1.pageInfo.hasNextPage]).toEqual([['192.0.2.0/26'], true]);
    const p2 = (await t.gql(PREFIXES, { id: instA, first: 1, after: p1.pageInfo.endCursor }, techA)).body.data
      .institution.prefixes;
    expect([nodes(p2).map((a) => a.prefix), p2.pageInfo.hasNextPage]).toEqual([['2001:db8::/48'], false]);
    const [a4, a6] = list as { rpsl: string; [k: string]: unknown }[];
    expect(a4).toMatchObject({ family: 'IPV4', ripeStatus: 'ASSIGNED PA', lifecycle: 'ACTIVE', site: null });
    expect(a4!.justification).toBe('40 hosts in the physics lab within a year');
    expect(a6).toMatchObject({ family: 'IPV6', ripeStatus: 'ASSIGNED', mntBy: ['TEST-MNT'], source: 'RIPE' });
    expect((a6!.site as { name: string }).name).toBeTruthy();
    expect(a4!.rpsl).toMatch(/^inetnum: +192\.0\.2\.0 - 192\.0\.2\.63\n/);
    expect(a4!.rpsl).toMatch(/^status: +ASSIGNED PA$/m);
    expect(a6!.rpsl).toMatch(/^inet6num: +2001:db8::\/48\n/);
    expect(a6!.rpsl).toMatch(/^status: +ASSIGNED$/m);
    for (const [a, netname] of [
      [a4!, 'NET-192-0-2-0-26'],
      [a6!, 'NET-2001-DB8-48'],
    ] as const) {
      expect(a.rpsl).toMatch(new RegExp(`^netname: +${netname}$`, 'm'));
      expect(a.rpsl).toMatch(/^country: +FR$/m);
      expect(a.rpsl).toMatch(/^admin-c: +NOC1-RIPE$/m);
      expect(a.rpsl).toMatch(/^tech-c: +NOC1-RIPE$/m);
      expect(a.rpsl).toMatch(/^mnt-by: +TEST-MNT$/m);
      expect(a.rpsl).toMatch(/^source: +RIPE\n$/m);
    }
    // The staff list filters by pool; the contact sees the same through `assignments`.
    const mine = await t.gql(
      `query($p: ID!) { assignments(poolId: $p, first: 10) { edges { node { prefix } } } }`,
      { p: v6 },
      techA,
    );
    expect(mine.body.data.assignments.edges).toEqual([{ node: { prefix: '2001:db8::/48' } }]);
  });

  it('gives a technical contact of B nothing of A: null, empty lists, NotFound, refusals', async () => {
    const one = await t.gql('query($id: ID!) { assignment(id: $id) { id } }', { id: made.v6!.id }, techB);
    expect(one.body).toEqual({ data: { assignment: null } });
    const all = await t.gql(
      'query($i: ID!) { assignments(institutionId: $i) { edges { node { id } } } all: assignments { edges { node { id } } } }',
      { i: instA },
      techB,
    );
    expect(all.body.data).toEqual({ assignments: { edges: [] }, all: { edges: [] } });
    const inst = await t.gql(PREFIXES, { id: instA }, techB);
    expect(inst.body.data).toEqual({ institution: null });
    const own = await t.gql(PREFIXES, { id: instB }, techB);
    expect(nodes(own.body.data.institution.prefixes)).toEqual([]);
    const ret = await t.gql(
      `mutation($id: ID!) { r: returnPrefix(input: { assignmentId: $id, reason: "mine now" }) { __typename ${ERR} } }`,
      { id: made.v6!.id },
      techB,
    );
    expect(ret.body.data.r).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const req = await t.gql(
      REQUEST_PREFIX,
      { input: { institutionId: instA, family: 'IPV6', length: 48, purpose: 'x' } },
      techB,
    );
    expect(req.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const pools = await t.gql('{ pools { edges { node { id } } } }', {}, techB);
    expect(pools.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('pool utilisation and largest free block follow the allocations; freeBlocks are aligned', async () => {
    expect(await pool(v6)).toMatchObject({
      assignmentCount: 1,
      largestFreeBlock: '2001:db8:8000::/33',
      utilisation: { used: 2 ** 16, free: 2 ** 32 - 2 ** 16, ratio: 2 ** 16 / 2 ** 32 },
    });
    expect(await pool(v4)).toMatchObject({
      assignmentCount: 1,
      largestFreeBlock: '192.0.2.128/25',
      utilisation: { used: 64, free: 192, ratio: 0.25 },
    });
    const q = 'query($p: ID!, $l: Int!) { freeBlocks(poolId: $p, length: $l, first: 3) }';
    expect((await t.gql(q, { p: v6, l: 48 }, noc)).body.data.freeBlocks).toEqual([
      '2001:db8:1::/48',
      '2001:db8:2::/48',
      '2001:db8:3::/48',
    ]);
    // A /47 starts on a nibble (/44) boundary: the /47 left next to the /48 does not qualify.
    expect((await t.gql(q, { p: v6, l: 47 }, noc)).body.data.freeBlocks).toEqual([
      '2001:db8:10::/47',
      '2001:db8:20::/47',
      '2001:db8:30::/47',
    ]);
    expect((await t.gql(q, { p: v4, l: 26 }, noc)).body.data.freeBlocks).toEqual([
      '192.0.2.64/26',
      '192.0.2.128/26',
      '192.0.2.192/26',
    ]);
    const bad = await t.gql(q, { p: v4, l: 16 }, noc);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('VALIDATION');
  });

  it('answers bad input with typed errors naming the field or the rule, and writes nothing', async () => {
    const before = {
      requests: await count('workflow_requests'),
      assignments: await count('ipam_assignments'),
      pools: await count('ipam_pools'),
    };
    const tooLong = await t.gql(
      REQUEST_PREFIX,
      { input: { institutionId: instA, family: 'IPV4', length: 33, purpose: 'x', justification: 'y' } },
      techA,
    );
    expect(tooLong.body.data.r).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    expect(tooLong.body.data.r.issues).toContainEqual({
      path: ['input', 'length'],
      message: expect.any(String),
    });
    const noDoc = await t.gql(
      REQUEST_PREFIX,
      { input: { institutionId: instA, family: 'IPV4', length: 26, purpose: 'x' } },
      techA,
    );
    expect(noDoc.body.data.r).toMatchObject({
      __typename: 'PolicyRefusalError',
      rule: 'justification-required',
    });
    const outside = await t.gql(
      ASSIGN,
      { input: { poolId: v6, prefix: '2001:db9::/48', institutionId: instA, purpose: 'x' } },
      noc,
    );
    expect(outside.body.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'inside-pool' });
    const taken = await t.gql(
      ASSIGN,
      { input: { poolId: v6, prefix: '2001:db8::/48', institutionId: instA, purpose: 'x' } },
      noc,
    );
    expect(taken.body.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'not-free' });
    const status = await t.gql(
      CREATE_POOL,
      { input: { name: 'x', prefix: '2001:db8:1::/48', ripeStatus: 'NOPE', purpose: 'x' } },
      noc,
    );
    expect(status.body.data.r.__typename).toBe('ValidationError');
    expect(status.body.data.r.issues[0].path).toEqual(['input', 'ripeStatus']);
    const overlap = await t.gql(
      CREATE_POOL,
      {
        input: {
          name: 'x',
          prefix: '2001:db8::/31',
          ripeStatus: 'ALLOCATED-BY-RIR',
          purpose: 'x',
          acceptBogon: true,
          adminC: ['NOC1-RIPE'],
          techC: ['NOC1-RIPE'],
          mntBy: ['TEST-MNT'],
        },
      },
      noc,
    );
    expect(overlap.body.data.r.__typename).toBe('ConflictError');
    const bogon = await t.gql(
      CREATE_POOL,
      { input: { name: 'x', prefix: '10.0.0.0/8', ripeStatus: 'ALLOCATED PA', purpose: 'x', mntBy: ['X'] } },
      noc,
    );
    expect(bogon.body.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'bogon' });
    expect(bogon.body.data.r.message).toContain('10.0.0.0/8, private use (RFC 1918)');
    const incomplete = await t.gql(
      CREATE_POOL,
      { input: { name: 'x', prefix: '2001:678::/32', ripeStatus: 'ALLOCATED-BY-RIR', purpose: 'x' } },
      noc,
    );
    expect(incomplete.body.data.r).toMatchObject({
      __typename: 'PolicyRefusalError',
      rule: 'rpsl-mandatory',
    });
    expect(incomplete.body.data.r.message).toContain('mnt-by, admin-c, tech-c are mandatory');
    expect({
      requests: await count('workflow_requests'),
      assignments: await count('ipam_assignments'),
      pools: await count('ipam_pools'),
    }).toEqual(before);
  });

  it('flags an accepted lab pool as a bogon; the NOC mends a pool and retires one made by mistake', async () => {
    const flags = (await t.gql(`query($id: ID!) { pool(id: $id) { bogon retiredAt } }`, { id: v6 }, noc)).body
      .data.pool;
    expect(flags).toEqual({ bogon: '2001:db8::/32, documentation (RFC 3849)', retiredAt: null });
    const UPDATE = `mutation($input: UpdatePoolInput!) { r: updatePool(input: $input) {
      __typename ... on UpdatePoolPayload { pool { name purpose mntBy } } ${ERR} } }`;
    const RETIRE = `mutation($input: RetirePoolInput!) { r: retirePool(input: $input) {
      __typename ... on RetirePoolPayload { pool { id retiredAt retiredReason } } ${ERR} } }`;
    const mended = await t.gql(UPDATE, { input: { id: v4, purpose: 'institutions (IPv4)' } }, noc);
    expect(mended.body.data.r).toMatchObject({ pool: { name: 'IPv4 LIR', purpose: 'institutions (IPv4)' } });
    const empty = await t.gql(UPDATE, { input: { id: v4, mntBy: [] } }, noc);
    expect(empty.body.data.r.issues).toContainEqual({
      path: ['input', 'mntBy'],
      message: expect.any(String),
    });
    const byContact = await t.gql(UPDATE, { input: { id: v4, name: 'mine' } }, techA);
    expect(byContact.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The IPv6 pool holds assignments: it cannot be retired. A pool made by mistake can.
    const inUse = await t.gql(RETIRE, { input: { id: v6, reason: 'x' } }, noc);
    expect(inUse.body.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'pool-in-use' });
    const wrong = await createPool({
      name: 'typo',
      prefix: '2001:67c::/32',
      ripeStatus: 'ALLOCATED-BY-RIR',
      purpose: 'x',
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
    });
    const retired = await t.gql(RETIRE, { input: { id: wrong, reason: 'wrong prefix' } }, noc);
    expect(retired.body.data.r).toMatchObject({ pool: { id: wrong, retiredReason: 'wrong prefix' } });
    const listed = async (includeRetired: boolean) =>
      (
        await t.gql(
          `query($r: Boolean) { pools(first: 50, includeRetired: $r) { edges { node { id } } } }`,
          { r: includeRetired },
          noc,
        )
      ).body.data.pools.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await listed(false)).not.toContain(wrong);
    expect(await listed(true)).toContain(wrong);
  });

  it('the NOC assigns by hand, reserves and releases; the contact returns a prefix into quarantine', async () => {
    const manual = await t.gql(
      ASSIGN,
      {
        input: {
          poolId: v6,
          prefix: '2001:db8:100::/40',
          institutionId: instA,
          purpose: 'x',
          justification: 'a big campus',
        },
      },
      noc,
    );
    expect(manual.body.data.r, JSON.stringify(manual.body)).toMatchObject({
      __typename: 'AssignPrefixPayload',
      assignment: { prefix: '2001:db8:100::/40', lifecycle: 'ACTIVE' },
    });
    const reserve = await t.gql(
      `mutation($p: ID!) { r: reservePrefix(input: { poolId: $p, length: 28, reason: "next year" }) {
        __typename ... on ReservePrefixPayload { reservation { id prefix kind releasedAt } } ${ERR} } }`,
      { p: v4 },
      noc,
    );
    expect(reserve.body.data.r).toMatchObject({
      reservation: { prefix: '192.0.2.64/28', kind: 'HOLD', releasedAt: null },
    });
    expect((await pool(v4)).utilisation).toMatchObject({ used: 64, reserved: 16, free: 176 });
    const release = await t.gql(
      `mutation($id: ID!) { r: releaseReservation(id: $id) { __typename ... on ReleaseReservationPayload { reservation { releasedAt } } ${ERR} } }`,
      { id: reserve.body.data.r.reservation.id },
      noc,
    );
    expect(release.body.data.r.reservation.releasedAt).toBeTruthy();
    expect((await pool(v4)).utilisation).toMatchObject({ reserved: 0, free: 192 });

    const ret = await t.gql(
      `mutation($id: ID!) { r: returnPrefix(input: { assignmentId: $id, reason: "lab closed" }) {
        __typename ... on ReturnPrefixPayload { request { status } assignment { lifecycle quarantineUntil } } ${ERR} } }`,
      { id: made.v4!.id },
      techA,
    );
    expect(ret.body.data.r, JSON.stringify(ret.body)).toMatchObject({
      __typename: 'ReturnPrefixPayload',
      // The RIPE object's deletion may still be on its way (an external step).
      request: { status: expect.stringMatching(/^(IN_PROGRESS|COMPLETED)$/) },
      assignment: { lifecycle: 'QUARANTINED' },
    });
    expect(ret.body.data.r.assignment.quarantineUntil).toBeTruthy();
  });
});
