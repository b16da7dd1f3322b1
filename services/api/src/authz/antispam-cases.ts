import type { Case } from './cases.js';
import { type ROLES, STAFF } from './fixtures.js';
import { nextNumber } from './ipam-fixtures.js';

/**
 * Rules for the antispam root fields (see cases.ts for the vocabulary). Filing an onboarding is
 * the engine's rule (a technical contact of the institution, or the desk); the password is
 * sealed only for a caller who may file. The staff view of every domain is for operator staff.
 */

type Role = (typeof ROLES)[number];
const only = (allowed: readonly Role[]) => (role: Role) =>
  allowed.includes(role) ? ('allow' as const) : ('deny' as const);

const R = '__typename ... on Error { code }';
const tuners = (role: Role) =>
  role === 'technicalB' ? ('hidden' as const) : only(['technical', 'desk', 'noc', 'admin'])(role);

export const ANTISPAM_CASES: Record<string, Case> = {
  'Query.antispamDomains': {
    call: () => ({ query: '{ r: antispamDomains { id domain state } }' }),
    expect: only(STAFF),
  },
  'Mutation.requestAntispamOnboarding': {
    call: (c) => {
      const d = `as${nextNumber()}.matrix-a.example`;
      return {
        query: `mutation($i: ID!, $d: String!, $k: String!, $u: String!) { r: requestAntispamOnboarding(input: { institutionId: $i, domains: [$d], directory: { url: "ldaps://ldap.matrix-a.example", base: "ou=people,dc=matrix-a,dc=example", filter: "(mail=%s)", bindDn: "cn=gateway,dc=matrix-a,dc=example", bindPassword: "matrix-secret" }, nextHops: [{ host: "mx.matrix-a.example" }], knownAddress: $k, unknownAddress: $u, submit: false }) { ${R} } }`,
        variables: { i: c.institutionA, d, k: `known@${d}`, u: `unknown@${d}` },
      };
    },
    expect: only(['technical', 'desk', 'admin']),
  },
  // Settings and lists: a technical contact of A, the desk or the NOC; B's contact does not see A.
  'Mutation.setAntispamSettings': {
    call: (c) => ({
      query: `mutation($i: ID) { r: setAntispamSettings(input: { institutionId: $i, reject: 14 }) { ${R} } }`,
      variables: { i: c.institutionA },
    }),
    expect: tuners,
  },
  'Mutation.addAntispamListEntry': {
    call: (c) => ({
      query: `mutation($i: ID!, $e: String!) { r: addAntispamListEntry(input: { institutionId: $i, list: ALLOW, entry: $e }) { ${R} } }`,
      variables: { i: c.institutionA, e: `friend${nextNumber()}@partner.example` },
    }),
    expect: tuners,
  },
  'Mutation.removeAntispamListEntry': {
    call: async (c) => {
      // A fresh entry per cell (an allowed cell removes it).
      const [entry] = await c.database.query<{ id: string }>(
        `INSERT INTO antispam_list_entries (institution_id, list, entry) VALUES ($1, 'deny', $2) RETURNING id`,
        [c.institutionA, `@spam${nextNumber()}.example`],
      );
      return {
        query: `mutation($id: ID!) { r: removeAntispamListEntry(id: $id) { ${R} } }`,
        variables: { id: entry?.id },
      };
    },
    expect: tuners,
  },
};
