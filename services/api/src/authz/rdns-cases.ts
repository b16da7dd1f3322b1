import { reverseZones } from '@guichet/net';
import { createDelegation, planDelegation } from '@guichet/rdns';
import type { Case } from './cases.js';
import type { Cast } from './fixtures.js';
import { CONTACTS_A, ROLES, STAFF } from './fixtures.js';
import { freshAssignmentA, nextNumber, nocContext } from './ipam-fixtures.js';

/** Rules for the rdns root fields (see cases.ts for the vocabulary). */

const only =
  (allowed: readonly string[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly string[] = []) =>
  (role: (typeof ROLES)[number]) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
const nocOnly = only(['noc', 'admin']);
const NS = [{ name: 'ns1.matrix.example' }, { name: 'ns2.matrix.example' }];

/** A delegation of institution A on a fresh /48, made through the service as the NOC. */
async function freshDelegationA(c: Cast): Promise<string> {
  const assignmentId = await freshAssignmentA(c);
  const rows = await c.database.query<{ prefix: string }>(
    'SELECT prefix::text AS prefix FROM ipam_assignments WHERE id = $1',
    [assignmentId],
  );
  const zone = reverseZones(rows[0]!.prefix)[0]!.zone;
  // The operator's parent zone of the enclosing /32 (a delegation needs one to publish into).
  await c.database.query(
    `INSERT INTO rdns_parent_zones (zone, prefix, server_address, mname, rname, nameservers)
     VALUES ($1, set_masklen($2::cidr, 32), '127.0.0.1', 'ns.nren.example', 'hostmaster.nren.example', ARRAY['ns.nren.example'])
     ON CONFLICT DO NOTHING`,
    [zone.split('.').slice(4).join('.'), rows[0]!.prefix],
  );
  return c.database.db.transaction(async (tx) => {
    const v = await planDelegation(tx, c.institutionA, { zone, nameservers: NS });
    return (await createDelegation(tx, nocContext(c), c.institutionA, null, v)).id;
  });
}

const shared = new WeakMap<Cast, Promise<string>>();
function delegationA(c: Cast): Promise<string> {
  let p = shared.get(c);
  if (!p) {
    p = freshDelegationA(c);
    shared.set(c, p);
  }
  return p;
}

export const RDNS_CASES: Record<string, Case> = {
  'Query.delegation': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: delegation(id: $id) { id zone state } }',
      variables: { id: await delegationA(c) },
    }),
    expect: only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']),
  },
  'Mutation.requestReverseDelegation': {
    call: (c) => ({
      query: `mutation($id: ID!) { r: requestReverseDelegation(input: { institutionId: $id, zone: "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", nameservers: [{ name: "ns1.matrix.example" }, { name: "ns2.matrix.example" }], submit: false }) { ${R} } }`,
      variables: { id: c.institutionA },
    }),
    // Filing is for a technical contact of the institution, or the desk (admin stands in).
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.requestReverseDelegations': {
    call: (c) => ({
      query: `mutation($id: ID!) { r: requestReverseDelegations(input: { dryRun: true, items: [{ input: { institutionId: $id, zone: "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", nameservers: [{ name: "ns1.matrix.example" }, { name: "ns2.matrix.example" }], submit: false } }] }) { ${R} } }`,
      variables: { id: c.institutionA },
    }),
    // As requestPrefixes: the field needs a write credential, who may file is judged per item.
    expect: only(ROLES.filter((r) => !['anonymous', 'technicalReadOnly', 'adminReadOnly'].includes(r))),
  },
  'Mutation.withdrawDelegation': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: withdrawDelegation(id: $id) { ${R} } }`,
      variables: { id: await freshDelegationA(c) },
    }),
    expect: nocOnly,
  },
  'Query.parentZones': {
    call: () => ({ query: '{ r: parentZones { id zone prefix } }' }),
    // The operator's configuration: every staff role reads it, contacts are refused outright.
    expect: only(STAFF),
  },
  'Mutation.createParentZone': {
    // A distinct IPv6 /32 per call, so each allowed cell creates its own zone.
    call: () => ({
      query: `mutation($p: IPPrefix!) { r: createParentZone(input: { prefix: $p, serverAddress: "127.0.0.1", mname: "ns.matrix.example", rname: "hostmaster.matrix.example", nameservers: ["ns.matrix.example"] }) { ${R} } }`,
      variables: { p: `fd00:${nextNumber().toString(16)}::/32` },
    }),
    expect: nocOnly,
  },
  'Mutation.recheckDelegation': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: recheckDelegation(id: $id) { ${R} } }`,
      variables: { id: await delegationA(c) },
    }),
    expect: nocOnly,
  },
};
