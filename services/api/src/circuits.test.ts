import { birdParse } from '@guichet/circuits';
import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, listSites, seedDemoMembership } from '@guichet/membership';
import { type Bird, freeTcpPort, freshDatabase, startBird, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Issue 14, "Done when", over GraphQL with the api's own job runner: a technical contact orders a
 * point-to-point circuit between two of its sites, one behind a regional network; the NOC
 * designs it as L2VPN VLAN-to-VLAN with QinQ — an MTU of 1504 on the regional segment is
 * refused and 1508 accepted; the order stays incomplete until the segment is marked active,
 * then the circuit is active with its VLANs held; a multipoint L2 need is refused pointing to
 * L3VPN; an L3VPN between two institutions gets a PE configuration that `bird -p` accepts and
 * whose session, run in BIRD against the sites' BIRDs on loopback, enforces the prefix limit.
 */

const ERR =
  '... on Error { __typename code message } ... on PolicyRefusalError { rule } ... on ValidationError { issues { path message } }';
const REQUEST = 'request { id status currentStep }';

type App = Awaited<ReturnType<typeof testApp>>;
const nets = (out: string) => [...out.matchAll(/^(\d+\.\d+\.\d+\.\d+\/\d+)\s/gm)].map((m) => m[1]!).sort();

describe(`circuit orders over GraphQL (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let noc: string;
  let techX: string;
  let techY: string;
  const ids = {
    x: '',
    y: '',
    x1: '',
    x2: '',
    y1: '',
    device: '',
    direct: '',
    handoffPort: '',
    pe: '',
    peX: '',
    peY: '',
  };
  const birds: Bird[] = [];

  const gql = async (q: string, vars: Record<string, unknown>, token: string) => {
    const res = await t.gql(q, vars, token);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data;
  };
  const m = (name: string, input: string, out: string) =>
    `mutation($input: ${input}!) { r: ${name}(input: $input) { __typename ${out} ${ERR} } }`;

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {}, { jobs: true });
    noc = (await staffWithToken(database, 'noc1', ['noc'])).token;
    ids.x = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
    ids.y = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    // The demo seed opens circuits for the second institution; open it for the first too.
    await database.query(
      `UPDATE membership_agreement_versions SET services = array_append(services, 'circuits') WHERE status = 'active' AND institution_id = $1`,
      [ids.y],
    );
    techX = await contactToken(database, ids.x);
    techY = await contactToken(database, ids.y);
    [ids.x1, ids.x2] = (await listSites(database.db, ids.x)).map((s) => s.id) as [string, string];
    ids.y1 = (await listSites(database.db, ids.y))[0]!.id;

    // The NOC's inventory, through the API.
    const inv = async (q: string, input: Record<string, unknown>, field: string) =>
      (await gql(q, { input }, noc)).r[field].id as string;
    const pop = await inv(
      m(
        'createPointOfPresence',
        'CreatePointOfPresenceInput',
        '... on CreatePointOfPresencePayload { pop { id } }',
      ),
      { code: 'CAE1', name: 'Caen', city: 'Caen' },
      'pop',
    );
    const device = (name: string, routerId: string) =>
      inv(
        m(
          'createAccessDevice',
          'CreateAccessDeviceInput',
          '... on CreateAccessDevicePayload { device { id } }',
        ),
        { popId: pop, name, routerId },
        'device',
      );
    const port = (deviceId: string, name: string, ranges: { from: number; to: number }[]) =>
      inv(
        m('createAccessPort', 'CreateAccessPortInput', '... on CreateAccessPortPayload { port { id } }'),
        { deviceId, name, speedMbps: 10000, l2Mtu: 9216, dedicated: false, vlanRanges: ranges },
        'port',
      );
    ids.device = await device('cae1-acc1', '193.51.190.1');
    ids.direct = await port(ids.device, 'xe-0/0/1', [{ from: 100, to: 199 }]);
    ids.handoffPort = await port(ids.device, 'xe-0/0/4', [{ from: 2000, to: 2099 }]);
    ids.pe = await device('cae1-pe1', '127.0.0.1');
    ids.peX = await port(ids.pe, 'xe-1/0/1', [{ from: 300, to: 399 }]);
    ids.peY = await port(ids.pe, 'xe-1/0/2', [{ from: 300, to: 399 }]);
    const rn = await inv(
      m(
        'createRegionalNetwork',
        'CreateRegionalNetworkInput',
        '... on CreateRegionalNetworkPayload { regionalNetwork { id } }',
      ),
      { name: 'SYRHANO', operator: 'Région Normandie', l2Mtu: 1600 },
      'regionalNetwork',
    );
    await inv(
      m(
        'createRegionalHandoff',
        'CreateRegionalHandoffInput',
        '... on CreateRegionalHandoffPayload { handoff { id } }',
      ),
      { regionalNetworkId: rn, portId: ids.handoffPort, name: 'caen', l2Mtu: 9000 },
      'handoff',
    );
    const access = 'mutation($s: ID!, $p: ID!) { r: addSiteAccess(siteId: $s, portId: $p) { __typename } }';
    for (const [s, p] of [
      [ids.x1, ids.direct],
      [ids.x2, ids.handoffPort],
      [ids.x1, ids.peX],
      [ids.y1, ids.peY],
    ]) {
      expect((await gql(access, { s, p }, noc)).r.__typename).toBe('AddSiteAccessPayload');
    }
    const rd = await gql(
      m('setRdAdministrator', 'SetRdAdministratorInput', ''),
      { input: { administrator: '2200', rdFrom: 1000, rdTo: 9999, rtFrom: 1000, rtTo: 9999 } },
      noc,
    );
    expect(rd.r.__typename).toBe('SetRdAdministratorPayload');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(birds.map((b) => b.stop()));
    await t?.close();
    await database?.close();
  });

  const ORDER = m('requestCircuit', 'RequestCircuitInput', `... on RequestCircuitPayload { ${REQUEST} }`);
  const DESIGN = m('designCircuit', 'DesignCircuitInput', `... on DesignCircuitPayload { ${REQUEST} }`);
  const CIRCUIT = `query($id: ID!) { institution(id: $id) { circuits { id reference state technology order { id status currentStep }
    endpoints { id site { id } consent attachments { vid cvlans requiredL2Mtu segment { id state l2Mtu localVid remoteVid } } } } } }`;
  const circuitOf = async (requestId: string, inst = ids.x, token = techX) =>
    ((await gql(CIRCUIT, { id: inst }, token)).institution.circuits as { order: { id: string } }[]).find(
      (c) => c.order?.id === requestId,
    ) as never as {
      id: string;
      state: string;
      technology: string | null;
      order: { status: string; currentStep: string | null };
      endpoints: {
        id: string;
        site: { id: string };
        attachments: {
          vid: number;
          cvlans: number[];
          requiredL2Mtu: number;
          segment: { id: string; state: string; l2Mtu: number } | null;
        }[];
      }[];
    };

  it('p2p with QinQ behind a regional network: 1504 refused, 1508 accepted, active once the segment is', async () => {
    const ordered = await gql(
      ORDER,
      {
        input: {
          institutionId: ids.x,
          name: 'Campus - Saclay',
          topology: 'POINT_TO_POINT',
          service: 'ETHERNET',
          bandwidthMbps: 200,
          endpoints: [{ siteId: ids.x1 }, { siteId: ids.x2, vlans: [10, 20, 30] }],
        },
      },
      techX,
    );
    expect(ordered.r).toMatchObject({
      __typename: 'RequestCircuitPayload',
      request: { status: 'IN_PROGRESS', currentStep: 'design' },
    });
    const requestId = ordered.r.request.id as string;
    const c0 = await circuitOf(requestId);
    expect(c0).toMatchObject({ state: 'REQUESTED', technology: null });
    const design = (mtu: number) => ({
      requestId,
      technology: 'L2VPN_VLAN',
      attachments: c0.endpoints.map((e) =>
        e.site.id === ids.x1
          ? { endpointId: e.id, portId: ids.direct, cvlans: [10, 20, 30] }
          : { endpointId: e.id, portId: ids.handoffPort, cvlans: [10, 20, 30], segmentL2Mtu: mtu },
      ),
    });
    const refused = await gql(DESIGN, { input: design(1504) }, noc);
    expect(refused.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'circuits.mtu-too-small' });
    expect(refused.r.message).toMatch(/regional segment SYRHANO.*1504.*need 1508/);
    expect((await circuitOf(requestId)).state).toBe('REQUESTED');

    const designed = await gql(DESIGN, { input: design(1508) }, noc);
    expect(designed.r).toMatchObject({ request: { status: 'IN_PROGRESS', currentStep: 'regional' } });
    const c1 = await circuitOf(requestId);
    expect(c1).toMatchObject({ state: 'PROVISIONING', technology: 'L2VPN_VLAN' });
    const behind = c1.endpoints.find((e) => e.site.id === ids.x2)!.attachments[0]!;
    expect(behind).toMatchObject({
      vid: 2000,
      cvlans: [10, 20, 30],
      requiredL2Mtu: 1508,
      segment: { state: 'REQUESTED', l2Mtu: 1508 },
    });

    const SEGMENT = m(
      'updateRegionalSegment',
      'UpdateRegionalSegmentInput',
      '... on UpdateRegionalSegmentPayload { segment { state } }',
    );
    const seg = behind.segment!.id;
    const ordered2 = await gql(
      SEGMENT,
      {
        input: {
          segmentId: seg,
          active: false,
          providerCircuitId: 'SYR-7781',
          operatorReference: 'TT#2026-118',
        },
      },
      noc,
    );
    expect(ordered2.r.segment.state).toBe('ORDERED');
    // Still incomplete: the segment is ordered, not active.
    expect((await circuitOf(requestId)).order).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'regional',
    });
    await gql(SEGMENT, { input: { segmentId: seg, active: true } }, noc);
    await until('the order completes', async () => {
      const c = await circuitOf(requestId);
      return c.order.status === 'COMPLETED' ? c : undefined;
    });
    // Read again: one GraphQL read runs the circuit's and the order's statements apart, so the
    // answer that first shows COMPLETED may hold the circuit's state from before the commit.
    const done = await circuitOf(requestId);
    expect(done.state).toBe('ACTIVE');
    // Its VLANs are held: both scopes' maps name it.
    const MAP = 'query($id: ID!) { accessPort(id: $id) { vlanMap { used { vid circuitId cvlans } } } }';
    for (const [port, vid] of [
      [ids.direct, 100],
      [ids.handoffPort, 2000],
    ] as const) {
      const map = (await gql(MAP, { id: port }, noc)).accessPort.vlanMap.used;
      expect(map).toEqual([{ vid, circuitId: done.id, cvlans: [10, 20, 30] }]);
    }
    const sheet = (
      await gql('query($id: ID!) { accessDevice(id: $id) { provisioningSheet } }', { id: ids.device }, noc)
    ).accessDevice.provisioningSheet;
    expect(sheet).toMatch(/S-VLAN {4}2000 \(QinQ/);
    expect(sheet).toMatch(/regional {2}SYRHANO .*: active/);
  });

  it('refuses a multipoint L2 need, pointing to L3VPN, and files nothing', async () => {
    const count = async () =>
      (await gql(CIRCUIT, { id: ids.x }, techX)).institution.circuits.length as number;
    const before = await count();
    const res = await gql(
      ORDER,
      {
        input: {
          institutionId: ids.x,
          name: 'VPLS please',
          topology: 'MULTIPOINT',
          service: 'ETHERNET',
          bandwidthMbps: 100,
          endpoints: [{ siteId: ids.x1 }, { siteId: ids.x2 }, { siteId: ids.y1 }],
        },
      },
      techX,
    );
    expect(res.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'circuits.no-vpls' });
    expect(res.r.message).toMatch(/L3VPN/);
    expect(await count()).toBe(before);
  });

  it('an L3VPN between two institutions: bird -p accepts the PE configuration and its session enforces the prefix limit', async () => {
    const [pePort, xPort, yPort] = [
      await freeTcpPort('127.0.0.1'),
      await freeTcpPort('127.0.0.2'),
      await freeTcpPort('127.0.0.3'),
    ];
    const ordered = await gql(
      ORDER,
      {
        input: {
          institutionId: ids.x,
          name: 'Projet commun',
          topology: 'MULTIPOINT',
          service: 'IP',
          bandwidthMbps: 100,
          endpoints: [
            { siteId: ids.x1, prefixLimit: 3, prefixes: ['10.1.0.0/16', '10.2.0.0/16'] },
            { siteId: ids.y1, prefixLimit: 2, prefixes: ['172.16.1.0/24'] },
          ],
        },
      },
      techX,
    );
    const requestId = ordered.r.request.id as string;
    expect(ordered.r.request.currentStep).toBe('consent');
    // The other institution sees only its own end, and agrees.
    // The order itself is not shown to Y…
    expect(await circuitOf(requestId, ids.y, techY)).toBeUndefined();
    // …but the circuit is, through Y's own end only.
    const ref = (await circuitOf(requestId)) as unknown as { reference: string };
    const yView = (await gql(CIRCUIT, { id: ids.y }, techY)).institution.circuits.find(
      (c: { reference: string }) => c.reference === ref.reference,
    ) as { endpoints: { id: string; site: { id: string } }[] };
    expect(yView.endpoints.map((e) => e.site.id)).toEqual([ids.y1]);
    const consent = m(
      'consentToCircuitEndpoint',
      'ConsentToCircuitEndpointInput',
      '... on ConsentToCircuitEndpointPayload { endpoint { consent } }',
    );
    expect(
      (await gql(consent, { input: { endpointId: yView.endpoints[0]!.id, agree: true } }, techY)).r.endpoint
        .consent,
    ).toBe('GIVEN');

    const c0 = await circuitOf(requestId);
    expect(c0.order.currentStep).toBe('design');
    const bgp = (site: string) =>
      site === ids.x1
        ? {
            portId: ids.peX,
            bgpLocalAddress: '127.0.0.1',
            bgpPeerAddress: '127.0.0.2',
            bgpPeerAsn: 65001,
            bgpMultihop: true,
            bgpLocalPort: pePort,
            bgpPeerPort: xPort,
          }
        : {
            portId: ids.peY,
            bgpLocalAddress: '127.0.0.1',
            bgpPeerAddress: '127.0.0.3',
            bgpPeerAsn: 65002,
            bgpMultihop: true,
            bgpLocalPort: pePort,
            bgpPeerPort: yPort,
          };
    const designed = await gql(
      DESIGN,
      {
        input: {
          requestId,
          technology: 'L3VPN',
          attachments: c0.endpoints.map((e) => ({ endpointId: e.id, ...bgp(e.site.id) })),
        },
      },
      noc,
    );
    expect(designed.r.__typename).toBe('DesignCircuitPayload');
    await until('the L3VPN order completes', async () => {
      const c = await circuitOf(requestId);
      return c.order.status === 'COMPLETED' ? c : undefined;
    });
    const done = await circuitOf(requestId); // read again, as above
    expect(done.state).toBe('ACTIVE');

    const ROUTING = `query($id: ID!) { circuit(id: $id) { routing { kind routeTargets { role value } vrfs { rd peConfig { version text birdOk } } } } }`;
    const routing = (await gql(ROUTING, { id: done.id }, noc)).circuit.routing;
    expect(routing).toMatchObject({ kind: 'l3vpn', routeTargets: [{ role: 'both', value: '2200:1001' }] });
    const config = routing.vrfs[0].peConfig;
    expect(config.birdOk).toBe(true);
    expect(await birdParse(config.text)).toEqual({ ok: true, errors: [] });
    expect([...config.text.matchAll(/import limit (\d+) action restart;/g)].map((x) => x[1]).sort()).toEqual([
      '2',
      '3',
    ]);
    // The routing is the NOC's: the institution does not see it.
    const hidden = await t.gql(ROUTING, { id: done.id }, techX);
    expect(hidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The stored configuration, unchanged, against the two sites' BIRDs; Y announces 3 > 2.
    birds.push(await startBird({ config: config.text }));
    const site = (addr: string, port: number, asn: number, routes: string[]) => `router id ${addr};
protocol device {
}
protocol static announced {
  ipv4;
${routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
protocol bgp to_pe {
  local ${addr} port ${port} as ${asn};
  neighbor 127.0.0.1 port ${pePort} as 2200;
  multihop;
  ipv4 { import all; export all; };
}
`;
    birds.push(await startBird({ config: site('127.0.0.2', xPort, 65001, ['10.1.0.0/16', '10.2.0.0/16']) }));
    birds.push(
      await startBird({
        config: site('127.0.0.3', yPort, 65002, ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24']),
      }),
    );
    const pe = birds[0]!;
    const table = /ipv4 table (t_\w+);/.exec(config.text)![1]!;
    const shut = await until(
      'Y hits its prefix limit',
      async () => {
        const out = await pe.birdc('show protocols all');
        return /Route limit exceeded/.test(out) ? out : undefined;
      },
      60_000,
    );
    expect(shut).toMatch(/Import limit:\s+2 \[HIT\]/);
    const vrf = await until(
      'X’s routes in the VRF',
      async () => {
        const r = nets(await pe.birdc(`show route table ${table}`));
        return r.length >= 2 ? r : undefined;
      },
      60_000,
    );
    expect(vrf).toEqual(['10.1.0.0/16', '10.2.0.0/16']);
  }, 120_000);
});
