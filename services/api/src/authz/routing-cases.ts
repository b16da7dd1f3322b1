import { createCollector, createSession } from '@guichet/routing';
import type { Case } from './cases.js';
import type { Cast } from './fixtures.js';
import { CONTACTS_A, ROLES, STAFF } from './fixtures.js';
import { nextNumber, nocContext } from './ipam-fixtures.js';

/** Rules for the routing root fields (see cases.ts for the vocabulary). */

const only =
  (allowed: readonly string[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly string[] = []) =>
  (role: (typeof ROLES)[number]) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
const nocOnly = only(['noc', 'admin']);
const made = new WeakMap<Cast, Promise<string>>();

/** One collector with a session per cast, made by the NOC through the service. */
function collectorOf(c: Cast): Promise<string> {
  let p = made.get(c);
  if (!p) {
    p = (async () => {
      const noc = nocContext(c);
      const col = await createCollector(c.database.db, noc, {
        name: 'matrix',
        asn: 65001,
        routerId: '10.255.255.1',
        region: 'matrix',
      });
      await createSession(c.database.db, noc, {
        collectorId: col.id,
        name: 'edge',
        peerAddress: '10.254.0.2',
        peerAsn: 64601,
        importLimit: 100,
      });
      return col.id;
    })();
    made.set(c, p);
  }
  return p;
}

export const ROUTING_CASES: Record<string, Case> = {
  'Query.collectors': {
    // Names and regions are for everyone signed in; the operator's fields have their own rule.
    call: () => ({ query: '{ r: collectors { id name region } }' }),
    expect: only(ROLES.filter((r) => r !== 'anonymous')),
  },
  'Query.collector': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: collector(id: $id) { id name } }',
      variables: { id: await collectorOf(c) },
    }),
    expect: only(ROLES.filter((r) => r !== 'anonymous')),
  },
  'Query.routeObjects': {
    call: (c) => ({
      query: 'query($id: ID!) { r: routeObjects(institutionId: $id) { prefix text } }',
      variables: { id: c.institutionA },
    }),
    expect: only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']),
  },
  'Mutation.requestRoutingChange': {
    call: async (c) => ({
      query: `mutation($id: ID!, $c: ID!) { r: requestRoutingChange(input: { institutionId: $id, collectorId: $c, prefixes: [], submit: false }) { ${R} } }`,
      variables: { id: c.institutionA, c: await collectorOf(c) },
    }),
    // Filing is for a technical contact of the institution, or the desk (admin stands in).
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.requestRoutingChanges': {
    call: async (c) => ({
      query: `mutation($id: ID!, $c: ID!) { r: requestRoutingChanges(input: { dryRun: true, items: [{ input: { institutionId: $id, collectorId: $c, prefixes: [], submit: false } }] }) { ${R} } }`,
      variables: { id: c.institutionA, c: await collectorOf(c) },
    }),
    // As requestPrefixes: the field needs a write credential, who may file is judged per item.
    expect: only(ROLES.filter((r) => !['anonymous', 'technicalReadOnly', 'adminReadOnly'].includes(r))),
  },
  'Mutation.createCollector': {
    call: () => ({
      query: `mutation($n: String!) { r: createCollector(input: { name: $n, asn: 65002, routerId: "10.255.255.2", region: "matrix" }) { ${R} } }`,
      variables: { n: `matrix${nextNumber()}` },
    }),
    expect: nocOnly,
  },
  'Mutation.createSession': {
    call: async (c) => ({
      query: `mutation($c: ID!, $n: String!) { r: createSession(input: { collectorId: $c, name: $n, peerAddress: "10.254.0.3", peerAsn: 64602, importLimit: 10 }) { ${R} } }`,
      variables: { c: await collectorOf(c), n: `s${nextNumber()}` },
    }),
    expect: nocOnly,
  },
};
