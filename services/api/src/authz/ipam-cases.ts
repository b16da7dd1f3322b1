import type { Case } from './cases.js';
import { CONTACTS_A, ROLES, STAFF } from './fixtures.js';
import { freshAssignmentA, freshPool, freshReservation, ipamPools, nextNumber } from './ipam-fixtures.js';

/** Rules for the ipam root fields (see cases.ts for the vocabulary). */

const only =
  (allowed: readonly string[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly string[] = []) =>
  (role: (typeof ROLES)[number]) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
// Pools, free space and reservations are the operator's: every staff role reads them.
const staffReaders = only(STAFF);
// Pools, manual assignment and reservations are the NOC's (admin stands in).
const nocOnly = only(['noc', 'admin']);
// Filing is for a technical contact of the institution, or the desk (admin stands in).
const filersOfA = only(['technical', 'desk', 'admin']);

export const IPAM_CASES: Record<string, Case> = {
  'Query.pools': {
    call: () => ({
      query: '{ r: pools(first: 2) { edges { node { id utilisation { ratio } largestFreeBlock } } } }',
    }),
    expect: staffReaders,
  },
  'Query.pool': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: pool(id: $id) { id prefix } }',
      variables: { id: (await ipamPools(c)).v6 },
    }),
    expect: staffReaders,
  },
  'Query.freeBlocks': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: freeBlocks(poolId: $id, length: 48, first: 2) }',
      variables: { id: (await ipamPools(c)).v6 },
    }),
    expect: staffReaders,
  },
  'Query.assignments': {
    // Everyone authenticated may list; a contact only gets their institution's (ipam.test.ts
    // checks that B's contact gets none of A's).
    call: () => ({ query: '{ r: assignments(first: 2) { edges { node { id } } } }' }),
    expect: only(ROLES.filter((r) => r !== 'anonymous')),
  },
  'Query.assignment': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: assignment(id: $id) { id rpsl } }',
      variables: { id: (await ipamPools(c)).assignmentA },
    }),
    expect: only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']),
  },
  'Mutation.requestPrefix': {
    call: async (c) => {
      await ipamPools(c);
      return {
        query: `mutation($id: ID!) { r: requestPrefix(input: { institutionId: $id, family: IPV6, length: 48, purpose: "matrix", submit: false }) { ${R} } }`,
        variables: { id: c.institutionA },
      };
    },
    // B's technical contact is refused outright: filing is an act, not a read.
    expect: filersOfA,
  },
  'Mutation.requestPrefixes': {
    call: async (c) => {
      await ipamPools(c);
      return {
        query: `mutation($id: ID!) { r: requestPrefixes(input: { dryRun: true, items: [{ input: { institutionId: $id, family: IPV6, length: 48, purpose: "matrix" } }] }) { ${R} } }`,
        variables: { id: c.institutionA },
      };
    },
    // The field needs a write credential; who may file for A is judged per item (an item of
    // someone who may not is a FORBIDDEN item error, proved in services/api/src/bulk.test.ts).
    expect: only(ROLES.filter((r) => !['anonymous', 'technicalReadOnly', 'adminReadOnly'].includes(r))),
  },
  'Mutation.returnPrefix': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: returnPrefix(input: { assignmentId: $id, reason: "matrix" }) { ${R} } }`,
      variables: { id: await freshAssignmentA(c) },
    }),
    // B's technical contact must not learn the assignment exists.
    expect: only(['technical', 'desk', 'admin'], 'deny', ['technicalB']),
  },
  'Mutation.createPool': {
    call: () => ({
      query: `mutation($p: IPPrefix!) { r: createPool(input: { name: "matrix", prefix: $p, ripeStatus: "ALLOCATED-BY-RIR", purpose: "matrix", adminC: ["NOC1-RIPE"], techC: ["NOC1-RIPE"], mntBy: ["MATRIX-MNT"] }) { ${R} } }`,
      // Public space (a bogon would be refused, which the matrix would still count as allowed).
      variables: { p: `2c0f:${(0xf000 + nextNumber()).toString(16)}::/32` },
    }),
    expect: nocOnly,
  },
  'Mutation.updatePool': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: updatePool(input: { id: $id, name: "matrix renamed", mntBy: ["MATRIX-MNT"] }) { ${R} } }`,
      variables: { id: await freshPool(c) },
    }),
    expect: nocOnly,
  },
  'Mutation.retirePool': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: retirePool(input: { id: $id, reason: "matrix" }) { ${R} } }`,
      variables: { id: await freshPool(c) },
    }),
    expect: nocOnly,
  },
  'Mutation.assignPrefix': {
    call: async (c) => ({
      query: `mutation($pool: ID!, $p: IPPrefix!, $i: ID!) { r: assignPrefix(input: { poolId: $pool, prefix: $p, institutionId: $i, purpose: "matrix" }) { ${R} } }`,
      variables: {
        pool: (await ipamPools(c)).manual,
        p: `2001:db9:${nextNumber().toString(16)}::/48`,
        i: c.institutionA,
      },
    }),
    expect: nocOnly,
  },
  'Mutation.reservePrefix': {
    call: async (c) => ({
      query: `mutation($pool: ID!) { r: reservePrefix(input: { poolId: $pool, length: 56, reason: "matrix" }) { ${R} } }`,
      variables: { pool: (await ipamPools(c)).v6 },
    }),
    expect: nocOnly,
  },
  'Mutation.releaseReservation': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: releaseReservation(id: $id) { ${R} } }`,
      variables: { id: await freshReservation(c) },
    }),
    expect: nocOnly,
  },
};
