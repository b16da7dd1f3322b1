import {
  addSiteAccess,
  CIRCUIT_ORDER,
  endpoints as circuitEndpoints,
  circuits,
  circuitsLine,
  createDevice,
  createHandoff,
  createPop,
  createPort,
  createRegionalNetwork,
  segments,
  setRdAdministrator,
} from '@guichet/circuits';
import { eq, sql } from '@guichet/db';
import { listSites } from '@guichet/membership';
import { actOnStep, createEnv, fileRequest } from '@guichet/workflow';
import type { Case } from './cases.js';
import type { Cast } from './fixtures.js';
import { CONTACTS_A, ROLES, STAFF } from './fixtures.js';
import { nextNumber, nocContext } from './ipam-fixtures.js';

/** Rules for the circuits root fields (see cases.ts for the vocabulary). */

type Role = (typeof ROLES)[number];
const only =
  (allowed: readonly Role[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly Role[] = []) =>
  (role: Role) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
const nocOnly = only(['noc', 'admin']);
const filers = only(['technical', 'desk', 'admin']);
const staffReaders = only(STAFF);
const authenticated = only(ROLES.filter((r) => r !== 'anonymous'));

interface World {
  popId: string;
  deviceId: string;
  portId: string;
  handoffPortId: string;
  regionalNetworkId: string;
  sparePortId: string;
  siteA: string;
  /** A's circuit between two of its sites, designed: its regional segment waits. */
  designed: { circuitId: string; segmentId: string };
  /** A's circuit waiting at its design step. */
  pendingDesign: { requestId: string; circuitId: string };
  /** A's circuit with B's site, waiting for B's consent. */
  sharedEndpointB: string;
}

const worlds = new WeakMap<Cast, Promise<World>>();

/** The inventory and three circuits of institution A, made through the services. */
function world(c: Cast): Promise<World> {
  let w = worlds.get(c);
  if (!w) {
    w = (async () => {
      const db = c.database.db;
      const noc = nocContext(c);
      const env = createEnv({ database: c.database, lines: [circuitsLine] });
      // Open the circuits service in both agreements (the demo seed opens it for B only).
      await c.database.query(
        `UPDATE membership_agreement_versions SET services = array_append(services, 'circuits')
          WHERE status = 'active' AND institution_id IN ($1, $2) AND NOT 'circuits' = ANY(services)`,
        [c.institutionA, c.institutionB],
      );
      await setRdAdministrator(db, noc, {
        administrator: '2200',
        rdFrom: 1,
        rdTo: 100000,
        rtFrom: 1,
        rtTo: 100000,
      });
      const pop = await createPop(db, noc, { code: 'MTX', name: 'Matrix', city: 'Paris' });
      const dev = await createDevice(db, noc, { popId: pop.id, name: 'mtx-acc1', routerId: '10.250.0.1' });
      const port = await createPort(db, noc, {
        deviceId: dev.id,
        name: 'xe-0/0/0',
        speedMbps: 10000,
        l2Mtu: 9216,
        mode: 'shared',
        vlanRanges: [{ from: 100, to: 3999 }],
      });
      const hport = await createPort(db, noc, {
        deviceId: dev.id,
        name: 'xe-0/0/1',
        speedMbps: 10000,
        l2Mtu: 9216,
        mode: 'shared',
        vlanRanges: [{ from: 2000, to: 2999 }],
      });
      const spare = await createPort(db, noc, {
        deviceId: dev.id,
        name: 'xe-0/0/2',
        speedMbps: 10000,
        l2Mtu: 9216,
        mode: 'shared',
      });
      const rn = await createRegionalNetwork(db, noc, { name: 'MTXRN', operator: 'Région', l2Mtu: 1600 });
      await createHandoff(db, noc, {
        regionalNetworkId: rn.id,
        portId: hport.id,
        name: 'h',
        l2Mtu: 9000,
        translation: false,
      });
      const [a1, a2] = await listSites(db, c.institutionA);
      const [b1] = await listSites(db, c.institutionB);
      await addSiteAccess(db, noc, { siteId: a1!.id, portId: port.id });
      await addSiteAccess(db, noc, { siteId: a2!.id, portId: hport.id });
      await addSiteAccess(db, noc, { siteId: b1!.id, portId: port.id });
      const order = (name: string, sites: string[]) =>
        fileRequest(db, c.desk, env, {
          kind: CIRCUIT_ORDER,
          institutionId: c.institutionA,
          payload: {
            name,
            topology: 'p2p',
            service: 'ethernet',
            bandwidthMbps: 10,
            endpoints: sites.map((siteId) => ({ siteId })),
          },
        });
      const circuitOf = async (requestId: string) =>
        (await db.select().from(circuits).where(eq(circuits.requestId, requestId)))[0]!.id;
      const r1 = await order('designed', [a1!.id, a2!.id]);
      const c1 = await circuitOf(r1.id);
      const eps = await db.select().from(circuitEndpoints).where(eq(circuitEndpoints.circuitId, c1));
      await actOnStep(db, noc, env, {
        requestId: r1.id,
        step: 'design',
        decision: 'approve',
        data: {
          technology: 'l2vpn_vlan',
          attachments: eps.map((e) => ({
            endpointId: e.id,
            portId: e.siteId === a1!.id ? port.id : hport.id,
          })),
        },
      });
      const [seg] = await db.select().from(segments).where(eq(segments.circuitId, c1));
      const r2 = await order('pending', [a1!.id, a2!.id]);
      const r3 = await order('shared', [a1!.id, b1!.id]);
      const c3 = await circuitOf(r3.id);
      const [ep] = await db
        .select()
        .from(circuitEndpoints)
        .where(sql`${circuitEndpoints.circuitId} = ${c3} AND ${circuitEndpoints.siteId} = ${b1!.id}`);
      return {
        popId: pop.id,
        deviceId: dev.id,
        portId: port.id,
        handoffPortId: hport.id,
        regionalNetworkId: rn.id,
        sparePortId: spare.id,
        siteA: a1!.id,
        designed: { circuitId: c1, segmentId: seg!.id },
        pendingDesign: { requestId: r2.id, circuitId: await circuitOf(r2.id) },
        sharedEndpointB: ep!.id,
      };
    })();
    worlds.set(c, w);
  }
  return w;
}

export const CIRCUITS_CASES: Record<string, Case> = {
  'Query.circuit': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: circuit(id: $id) { id reference state } }',
      variables: { id: (await world(c)).designed.circuitId },
    }),
    expect: only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']),
  },
  'Query.circuitRules': { call: () => ({ query: '{ r: circuitRules { code } }' }), expect: authenticated },
  'Query.pointsOfPresence': {
    call: () => ({ query: '{ r: pointsOfPresence { id } }' }),
    expect: staffReaders,
  },
  'Query.accessDevice': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: accessDevice(id: $id) { id provisioningSheet } }',
      variables: { id: (await world(c)).deviceId },
    }),
    expect: staffReaders,
  },
  'Query.accessPort': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: accessPort(id: $id) { id vlanMap { used { vid } } } }',
      variables: { id: (await world(c)).portId },
    }),
    expect: staffReaders,
  },
  'Query.regionalNetworks': {
    call: () => ({ query: '{ r: regionalNetworks { id } }' }),
    expect: staffReaders,
  },
  'Query.rdAdministrator': {
    call: () => ({ query: '{ r: rdAdministrator { administrator } }' }),
    expect: staffReaders,
  },
  'Mutation.requestCircuit': {
    call: async (c) => ({
      query: `mutation($id: ID!, $s: ID!) { r: requestCircuit(input: { institutionId: $id, name: "m", topology: POINT_TO_POINT, service: ETHERNET, bandwidthMbps: 10, endpoints: [{ siteId: $s }, { siteId: $s }], submit: false }) { ${R} } }`,
      variables: { id: c.institutionA, s: (await world(c)).siteA },
    }),
    expect: filers,
  },
  'Mutation.requestCircuitBandwidthChange': {
    call: async (c) => ({
      query: `mutation($id: ID!, $c: ID!) { r: requestCircuitBandwidthChange(input: { institutionId: $id, circuitId: $c, bandwidthMbps: 20 }) { ${R} } }`,
      variables: { id: c.institutionA, c: (await world(c)).pendingDesign.circuitId },
    }),
    expect: filers,
  },
  'Mutation.requestCircuitMemberChange': {
    call: async (c) => ({
      query: `mutation($id: ID!, $c: ID!) { r: requestCircuitMemberChange(input: { institutionId: $id, circuitId: $c, remove: [] }) { ${R} } }`,
      variables: { id: c.institutionA, c: (await world(c)).pendingDesign.circuitId },
    }),
    expect: filers,
  },
  'Mutation.requestCircuitTermination': {
    call: async (c) => ({
      query: `mutation($id: ID!, $c: ID!) { r: requestCircuitTermination(input: { institutionId: $id, circuitId: $c }) { ${R} } }`,
      variables: { id: c.institutionA, c: (await world(c)).pendingDesign.circuitId },
    }),
    expect: filers,
  },
  'Mutation.consentToCircuitEndpoint': {
    call: async (c) => ({
      query: `mutation($e: ID!) { r: consentToCircuitEndpoint(input: { endpointId: $e, agree: true }) { ${R} } }`,
      variables: { e: (await world(c)).sharedEndpointB },
    }),
    // B's site: B's technical contact (or the desk) answers; A's contacts do not even see it.
    expect: only(
      ['technicalB', 'desk', 'admin'],
      'deny',
      CONTACTS_A.filter((r) => r !== 'technicalReadOnly'),
    ),
  },
  'Mutation.designCircuit': {
    call: async (c) => ({
      query: `mutation($r: ID!) { r: designCircuit(input: { requestId: $r, technology: L2VPN_VLAN, attachments: [] }) { ${R} } }`,
      variables: { r: (await world(c)).pendingDesign.requestId },
    }),
    expect: nocOnly,
  },
  'Mutation.updateRegionalSegment': {
    call: async (c) => ({
      query: `mutation($s: ID!) { r: updateRegionalSegment(input: { segmentId: $s, active: false, providerCircuitId: "MTX-1", operatorReference: "T1" }) { ${R} } }`,
      variables: { s: (await world(c)).designed.segmentId },
    }),
    expect: nocOnly,
  },
  'Mutation.setCircuitState': {
    call: async (c) => ({
      query: `mutation($c: ID!) { r: setCircuitState(circuitId: $c, disabled: true) { ${R} } }`,
      variables: { c: (await world(c)).pendingDesign.circuitId },
    }),
    expect: nocOnly,
  },
  'Mutation.createPointOfPresence': {
    call: () => ({
      query: `mutation($c: String!) { r: createPointOfPresence(input: { code: $c, name: "P", city: "Lyon" }) { ${R} } }`,
      variables: { c: `P${nextNumber()}` },
    }),
    expect: nocOnly,
  },
  'Mutation.createAccessDevice': {
    call: async (c) => {
      const n = nextNumber();
      return {
        query: `mutation($p: ID!, $n: String!, $r: IPAddress!) { r: createAccessDevice(input: { popId: $p, name: $n, routerId: $r }) { ${R} } }`,
        variables: { p: (await world(c)).popId, n: `d${n}`, r: `10.251.${n % 250}.${(n % 200) + 1}` },
      };
    },
    expect: nocOnly,
  },
  'Mutation.createAccessPort': {
    call: async (c) => ({
      query: `mutation($d: ID!, $n: String!) { r: createAccessPort(input: { deviceId: $d, name: $n, speedMbps: 10000, l2Mtu: 9216, dedicated: true }) { ${R} } }`,
      variables: { d: (await world(c)).deviceId, n: `et-${nextNumber()}` },
    }),
    expect: nocOnly,
  },
  'Mutation.updateAccessPort': {
    call: async (c) => ({
      query: `mutation($p: ID!) { r: updateAccessPort(input: { portId: $p, l2Mtu: 9216 }) { ${R} } }`,
      variables: { p: (await world(c)).portId },
    }),
    expect: nocOnly,
  },
  'Mutation.setVlanRanges': {
    call: async (c) => ({
      query: `mutation($p: ID!) { r: setVlanRanges(portId: $p, ranges: [{ from: 100, to: 3999 }]) { ${R} } }`,
      variables: { p: (await world(c)).portId },
    }),
    expect: nocOnly,
  },
  'Mutation.createRegionalNetwork': {
    call: () => ({
      query: `mutation($n: String!) { r: createRegionalNetwork(input: { name: $n, operator: "O", l2Mtu: 1600 }) { ${R} } }`,
      variables: { n: `RN${nextNumber()}` },
    }),
    expect: nocOnly,
  },
  'Mutation.createRegionalHandoff': {
    call: async (c) => ({
      query: `mutation($n: ID!, $p: ID!) { r: createRegionalHandoff(input: { regionalNetworkId: $n, portId: $p, name: "x", l2Mtu: 1600 }) { ${R} } }`,
      variables: { n: (await world(c)).regionalNetworkId, p: (await world(c)).sparePortId },
    }),
    expect: nocOnly,
  },
  'Mutation.addSiteAccess': {
    call: async (c) => {
      const w = await world(c);
      return {
        query: `mutation($s: ID!, $p: ID!) { r: addSiteAccess(siteId: $s, portId: $p) { ${R} } }`,
        variables: { s: w.siteA, p: w.portId },
      };
    },
    expect: nocOnly,
  },
  'Mutation.setRdAdministrator': {
    call: () => ({
      query: `mutation { r: setRdAdministrator(input: { administrator: "2200", rdFrom: 1, rdTo: 100000, rtFrom: 1, rtTo: 100000 }) { ${R} } }`,
    }),
    expect: nocOnly,
  },
};
