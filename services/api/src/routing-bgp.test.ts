import { readFileSync } from 'node:fs';
import { type RequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { type Bird, freeTcpPort, freshDatabase, startBird, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Peers tier of routing (issue 6, "Done when": "the BGP test shows the new prefix accepted at
 * the new collector"). A technical contact moves its institution to a new collector and adds a
 * prefix over GraphQL, with no human step; the new collector's configuration, read through
 * GraphQL as staff, runs unchanged in a real BIRD whose session points at an "institution"
 * BIRD on loopback (127.0.0.1 ↔ 127.0.0.2, reference/peers.md §4). The institution announces
 * its prefixes plus a foreign one and a too-long one: the collector accepts exactly the
 * institution's, and keeps the two others filtered. IPv4 only (one IPv6 loopback address).
 */

const ERR =
  '... on Error { __typename code message } ... on ValidationError { issues { path message } } ... on PolicyRefusalError { rule }';
const CHANGE = `mutation($input: RequestRoutingChangeInput!) { r: requestRoutingChange(input: $input) {
  __typename ... on RequestRoutingChangePayload { request { id status currentStep steps { name state } } } ${ERR} } }`;
const COLLECTOR = `query($id: ID!) { collector(id: $id) { name renderedConfig { version text birdCheck { ok errors } rejected deployStatus deployOutput } } }`;
const REQUEST = `query($id: ID!) { request(id: $id) { id status currentStep steps { name state } } }`;
const RETURN = `mutation($input: ReturnPrefixInput!) { r: returnPrefix(input: $input) {
  __typename ... on ReturnPrefixPayload { request { id status } } ${ERR} } }`;
const PREFIXES = `query($id: ID!) { institution(id: $id) { prefixes(lifecycle: ACTIVE, first: 100) { edges { node { id prefix } } } } }`;

/** The institution's AS, peer of both collectors' sessions (and so the origin AS). */
const INSTITUTION_AS = 64601;

type App = Awaited<ReturnType<typeof testApp>>;

/** Network column of `show route` output. */
function nets(output: string): string[] {
  return [...output.matchAll(/^(\d+\.\d+\.\d+\.\d+\/\d+)\s/gm)].map((m) => m[1]!).sort();
}

function institutionConfig(ports: { collector: number; institution: number }, routes: string[]): string {
  return `router id 127.0.0.2;
protocol device {
}
protocol static announced {
  ipv4;
${routes.map((p) => `  route ${p} blackhole;`).join('\n')}
}
protocol bgp to_collector {
  local 127.0.0.2 port ${ports.institution} as ${INSTITUTION_AS};
  neighbor 127.0.0.1 port ${ports.collector} as 65002;
  multihop;
  connect delay time 1;
  connect retry time 1;
  ipv4 {
    import none;
    export all;
  };
}
`;
}

describe(`routing change seen over BGP at the new collector (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let noc: string;
  let instA: string;
  let techA: string;
  let ports: { collector: number; institution: number };
  let collectorBird: Bird | undefined;
  let institutionBird: Bird | undefined;
  const c = { old: '', fresh: '' };
  const a = { kept: '', added: '', foreign: '' };

  /** Files a change and waits past its `deploy` step (an external job). */
  const change = async (input: Record<string, unknown>) => {
    const body = (await t.gql(CHANGE, { input }, techA)).body;
    const id = body.data?.r?.request?.id as string | undefined;
    if (!id) return body;
    const request = await until(`request ${id} past deploy`, async () => {
      const r = (await t.gql(REQUEST, { id }, noc)).body.data.request;
      return r.status === 'IN_PROGRESS' && r.currentStep === 'deploy' ? undefined : r;
    });
    return { ...body, data: { r: { ...body.data.r, request } } };
  };

  async function collector(
    name: string,
    n: number,
    session: Record<string, unknown>,
    deploy: Record<string, string> = {},
  ) {
    const made = await t.gql(
      `mutation($input: CreateCollectorInput!) { r: createCollector(input: $input) { __typename ... on CreateCollectorPayload { collector { id } } ${ERR} } }`,
      {
        input: {
          name,
          asn: 65000 + n,
          routerId: `127.0.0.${n === 2 ? 1 : 10 + n}`,
          region: `region ${n}`,
          ...deploy,
        },
      },
      noc,
    );
    expect(made.body.data.r.__typename, JSON.stringify(made.body)).toBe('CreateCollectorPayload');
    const id = made.body.data.r.collector.id as string;
    const s = await t.gql(
      `mutation($input: CreateRoutingSessionInput!) { r: createSession(input: $input) { __typename ${ERR} } }`,
      { input: { collectorId: id, name: 'edge', peerAsn: INSTITUTION_AS, importLimit: 10, ...session } },
      noc,
    );
    expect(s.body.data.r.__typename, JSON.stringify(s.body)).toBe('CreateSessionPayload');
    return id;
  }

  beforeAll(async () => {
    ports = { collector: await freeTcpPort('127.0.0.1'), institution: await freeTcpPort('127.0.0.2') };
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {}, { jobs: true });
    const nocStaff = await staffWithToken(database, 'noc-routing-bgp', ['noc']);
    noc = nocStaff.token;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    const instB = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
    techA = await contactToken(database, instA);
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
    const v4 = await createPool(database.db, nocCtx, {
      name: 'v4',
      prefix: '193.48.0.0/16',
      status: 'ALLOCATED PA',
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
      country: 'FR',
      purpose: 'institutions',
    });
    const give = async (institutionId: string) =>
      (
        await allocatePrefix(database.db, nocCtx, {
          poolId: v4.id,
          length: 24,
          institutionId,
          purpose: 'campus',
          justification: 'campus network',
        })
      ).prefix;
    a.kept = await give(instA);
    a.added = await give(instA);
    a.foreign = await give(instB);
    // The new collector's BIRD runs from the start with an empty configuration; Guichet
    // deploys to it (file + control socket). The old collector's session goes nowhere.
    collectorBird = await startBird({ config: 'router id 127.0.0.1;\nprotocol device {\n}\n' });
    c.old = await collector('old', 1, { peerAddress: '10.1.0.2', localAddress: '10.1.0.1' });
    c.fresh = await collector(
      'fresh',
      2,
      {
        peerAddress: '127.0.0.2',
        localAddress: '127.0.0.1',
        localPort: ports.collector,
        peerPort: ports.institution,
        multihop: true,
      },
      { birdConfigPath: collectorBird.configFile, birdSocket: collectorBird.socket },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([collectorBird?.stop(), institutionBird?.stop()]);
    await t?.close();
    await database?.close();
  });

  it('the new prefix, and the institution’s others, are accepted at the new collector; foreign and too-long ones are filtered', async () => {
    const first = await change({ institutionId: instA, collectorId: c.old, prefixes: [a.kept] });
    expect(first.data.r, JSON.stringify(first)).toMatchObject({ request: { status: 'COMPLETED' } });

    // The technical contact moves to the new collector and adds a prefix: no human step.
    const moved = await change({ institutionId: instA, collectorId: c.fresh, prefixes: [a.kept, a.added] });
    expect(moved.data.r, JSON.stringify(moved)).toMatchObject({
      request: { status: 'COMPLETED', currentStep: null },
    });
    for (const s of moved.data.r.request.steps) expect(s.state).toBe('DONE');

    // Staff read the new collector's configuration: checked, and deployed to its BIRD, which
    // now runs exactly that text (the old collector has no target: left to the NOC).
    const res = await t.gql(COLLECTOR, { id: c.fresh }, noc);
    const rendered = res.body.data?.collector?.renderedConfig;
    expect(rendered, JSON.stringify(res.body)).toMatchObject({
      birdCheck: { ok: true, errors: [] },
      rejected: [],
      deployStatus: 'deployed',
    });
    expect(rendered.deployOutput).toMatch(/Reconfigur/);
    expect(readFileSync(collectorBird!.configFile, 'utf8')).toBe(rendered.text);
    expect(rendered.text).toContain(a.added);
    const old = (await t.gql(COLLECTOR, { id: c.old }, noc)).body.data.collector.renderedConfig;
    expect(old.deployStatus).toBe('not-deployed');
    expect(t.crashes()).toEqual([]);

    const tooLong = a.added.replace(/\/24$/, '/25');
    institutionBird = await startBird({
      config: institutionConfig(ports, [a.kept, a.added, a.foreign, tooLong]),
    });
    const announced = [a.kept, a.added, a.foreign, tooLong].sort();

    const bird = collectorBird as Bird;
    const [accepted, filtered] = await until('every announced route at the collector', async () => {
      const acc = nets(await bird.birdc('show route'));
      const fil = nets(await bird.birdc('show route filtered'));
      return [...acc, ...fil].sort().join() === announced.join() ? [acc, fil] : undefined;
    });
    expect(accepted).toEqual([a.kept, a.added].sort());
    expect(filtered).toEqual([a.foreign, tooLong].sort());
    expect(await bird.birdc('show protocols p_edge')).toMatch(/Established/);
  }, 60_000);

  it('returning a prefix withdraws it: the collector’s configuration is regenerated, checked, pushed, and BIRD filters the route', async () => {
    const before = (await t.gql(COLLECTOR, { id: c.fresh }, noc)).body.data.collector.renderedConfig;
    const held = (
      (await t.gql(PREFIXES, { id: instA }, techA)).body.data.institution.prefixes.edges as {
        node: { id: string; prefix: string };
      }[]
    ).map((e) => e.node);
    const added = held.find((p) => p.prefix === a.added);
    expect(added, JSON.stringify(held)).toBeDefined();
    const ret = await t.gql(RETURN, { input: { assignmentId: added!.id, reason: 'no longer used' } }, techA);
    expect(ret.body.data?.r?.__typename, JSON.stringify(ret.body)).toBe('ReturnPrefixPayload');

    const after = await until('a new deployed configuration without the prefix', async () => {
      const r = (await t.gql(COLLECTOR, { id: c.fresh }, noc)).body.data.collector.renderedConfig;
      return r.version > before.version && r.deployStatus === 'deployed' ? r : undefined;
    });
    expect(after.birdCheck).toEqual({ ok: true, errors: [] });
    expect(after.text).not.toContain(a.added);
    expect(after.text).toContain(a.kept);
    const routing = (
      await t.gql(
        'query($id: ID!) { institution(id: $id) { routing { announcements { prefix } } } }',
        { id: instA },
        techA,
      )
    ).body.data.institution.routing;
    expect(routing.announcements.map((x: { prefix: string }) => x.prefix)).toEqual([a.kept]);

    // The institution still announces it; the collector now keeps it filtered.
    const bird = collectorBird as Bird;
    const filtered = await until('the returned prefix filtered at the collector', async () => {
      const fil = nets(await bird.birdc('show route filtered'));
      return fil.includes(a.added) ? fil : undefined;
    });
    expect(filtered).toContain(a.added);
    expect(nets(await bird.birdc('show route'))).toEqual([a.kept]);
    expect(t.crashes()).toEqual([]);
  }, 60_000);
});
