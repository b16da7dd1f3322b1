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
  'Query.antispamReports': {
    call: () => ({ query: '{ r: antispamReports { id state } }' }),
    expect: only(STAFF),
  },
  'Mutation.reportMisclassification': {
    call: (c) => ({
      query: `mutation($i: ID!, $e: String!) { r: reportMisclassification(input: { institutionId: $i, kind: FALSE_NEGATIVE, eml: $e, submit: false }) { ${R} } }`,
      variables: {
        i: c.institutionA,
        e: `From: spammer${nextNumber()}@spam.example\r\nTo: x@matrix-a.example\r\nSubject: win\r\n\r\nbuy now\r\n`,
      },
    }),
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.recordAntispamTestMessage': {
    // A fresh configured domain of A per cell (an allowed cell moves it on).
    call: async (c) => {
      const d = `cut${nextNumber()}.matrix-a.example`;
      const [row] = await c.database.query<{ id: string }>(
        `WITH s AS (INSERT INTO antispam_bind_secrets (id, institution_id, sealed) VALUES (gen_random_uuid(), $1, 'unused') RETURNING id),
         o AS (INSERT INTO antispam_onboardings (institution_id, request_id, directory, bind_secret_id, next_hops, known_address, unknown_address, state)
               SELECT $1, gen_random_uuid(), '{}'::jsonb, s.id, '[]'::jsonb, 'a@' || $2, 'b@' || $2, 'published' FROM s RETURNING id)
         INSERT INTO antispam_domains (institution_id, onboarding_id, domain, state) SELECT $1, o.id, $2, 'configured' FROM o RETURNING id`,
        [c.institutionA, d],
      );
      return {
        query: `mutation($id: ID!) { r: recordAntispamTestMessage(domainId: $id) { ${R} } }`,
        variables: { id: row?.id },
      };
    },
    expect: only(['noc', 'admin']),
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
