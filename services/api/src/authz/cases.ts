import { type Cast, CONTACTS_A, ROLES, type Role, STAFF, WRITING_STAFF } from './fixtures.js';

/**
 * One entry per root field of the schema: how to call it for a given role, and what each role
 * must get. `allow`: the call went past authorisation (data, or a typed business error);
 * `deny`: refused as FORBIDDEN / UNAUTHENTICATED; `hidden`: the object is not visible to the
 * caller (null, or NotFoundError) — how another institution's data looks. The matrix test fails
 * when a root field has no entry here, so a new query or mutation cannot ship without its rule.
 */
export type Outcome = 'allow' | 'deny' | 'hidden';

export interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

export interface Case {
  call: (cast: Cast, role: Role) => Promise<Call> | Call;
  expect: (role: Role) => Outcome;
}

const only =
  (allowed: Role[], otherwise: Outcome = 'deny', hidden: Role[] = []) =>
  (role: Role): Outcome =>
    allowed.includes(role) ? 'allow' : hidden.includes(role) ? 'hidden' : otherwise;

const everyone = () => 'allow' as const;
const authenticated = only(ROLES.filter((r) => r !== 'anonymous'));
const writers = only(ROLES.filter((r) => !['anonymous', 'technicalReadOnly', 'adminReadOnly'].includes(r)));
/** Readable by institution A's contacts and staff; B's contact sees nothing. */
const institutionAReaders = only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']);
const membershipDesk = only(['desk', 'admin']);
const staffReaders = only(STAFF);

const R = '__typename ... on Error { code }';

export const CASES: Record<string, Case> = {
  'Query.viewer': { call: () => ({ query: '{ r: viewer { kind } }' }), expect: everyone },
  'Query.tokens': { call: () => ({ query: '{ r: tokens { id } }' }), expect: authenticated },
  'Query.changes': {
    call: () => ({ query: '{ r: changes(first: 1) { edges { cursor } } }' }),
    expect: staffReaders,
  },
  'Query.journal': {
    call: (c) => ({
      query: 'query($id: String!) { r: journal(objectType: "Institution", objectId: $id) { id } }',
      variables: { id: c.institutionA },
    }),
    expect: staffReaders,
  },
  'Query.institutions': {
    call: () => ({ query: '{ r: institutions(first: 1) { edges { cursor } } }' }),
    expect: authenticated,
  },
  'Query.institution': {
    call: (c) => ({
      query: 'query($id: ID!) { r: institution(id: $id) { id } }',
      variables: { id: c.institutionA },
    }),
    expect: institutionAReaders,
  },
  'Query.contact': {
    call: (c) => ({
      query: 'query($id: ID!) { r: contact(id: $id) { id } }',
      variables: { id: c.contactIdOf('technical') },
    }),
    expect: institutionAReaders,
  },
  'Query.agreementVersion': {
    call: (c) => ({
      query: 'query($id: ID!) { r: agreementVersion(id: $id) { id } }',
      variables: { id: c.activeAgreementA },
    }),
    expect: institutionAReaders,
  },
  'Mutation.login': {
    call: () => ({ query: `mutation { r: login(username: "nobody", password: "x") { ${R} } }` }),
    expect: everyone,
  },
  'Mutation.createToken': {
    call: () => ({ query: `mutation { r: createToken(input: { name: "matrix", scope: READ }) { ${R} } }` }),
    // Scripts and people with a write credential; a read-only token cannot mint tokens.
    expect: writers,
  },
  'Mutation.revokeToken': {
    call: async (c) => {
      // Everyone revokes a token of institution A's technical contact: only its owner and an
      // administrator may; others must not even learn it exists.
      const { createApiToken } = await import('../auth/tokens.js');
      const { systemContext } = await import('@guichet/core');
      const made = await createApiToken(
        c.database,
        { ...systemContext('matrix'), actor: c.actors.technical! },
        { name: 'victim', scope: 'read' },
      );
      return {
        query: `mutation($id: ID!) { r: revokeToken(id: $id) { ${R} } }`,
        variables: { id: made.token.id },
      };
    },
    expect: (role) =>
      role === 'technical' || role === 'admin'
        ? 'allow'
        : ['anonymous', 'technicalReadOnly', 'adminReadOnly'].includes(role)
          ? 'deny'
          : 'hidden',
  },
  'Mutation.addJournalEntry': {
    call: (c) => ({
      query: `mutation($id: String!) { r: addJournalEntry(input: { objectType: "Institution", objectId: $id, body: "note" }) { ${R} } }`,
      variables: { id: c.institutionA },
    }),
    expect: only(WRITING_STAFF),
  },
  'Mutation.createInstitution': {
    call: (c, role) => ({
      query: `mutation($input: CreateInstitutionInput!) { r: createInstitution(input: $input) { ${R} } }`,
      variables: {
        input: {
          name: `Matrix ${role}`,
          shortName: `MX-${role}`,
          kind: 'TUTELLE',
          siren: sirenFor(role),
          collector: 'Collecte',
          mainSite: { name: 'Main', address: '1 rue A', city: 'Paris' },
          agreement: { conventionRef: 'C', charterRef: 'CH', bandwidthMbps: 100, services: [] },
        },
      },
    }),
    expect: membershipDesk,
  },
  'Mutation.updateInstitution': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: updateInstitution(input: { id: $id, collector: "Collecte Ouest" }) { ${R} } }`,
      variables: { id: await c.freshInstitution() },
    }),
    expect: membershipDesk,
  },
  'Mutation.closeInstitution': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: closeInstitution(id: $id) { ${R} } }`,
      variables: { id: await c.freshInstitution() },
    }),
    expect: membershipDesk,
  },
  'Mutation.addSite': {
    call: (c, role) => ({
      query: `mutation($id: ID!, $name: String!) { r: addSite(input: { institutionId: $id, name: $name, address: "9 rue Z", city: "Lyon" }) { ${R} } }`,
      variables: { id: c.institutionA, name: `Site ${role}` },
    }),
    expect: membershipDesk,
  },
  'Mutation.removeSite': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: removeSite(id: $id) { ${R} } }`,
      variables: { id: await c.freshSite() },
    }),
    expect: membershipDesk,
  },
  'Mutation.createContact': {
    call: (c, role) => ({
      query: `mutation($id: ID!, $email: String!) { r: createContact(input: { institutionId: $id, name: "New Person", email: $email }) { ${R} } }`,
      variables: { id: c.institutionA, email: `new.${role}@example.fr` },
    }),
    expect: membershipDesk,
  },
  'Mutation.updateContact': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: updateContact(input: { id: $id, phone: "+33 4 72 00 00 00" }) { ${R} } }`,
      variables: { id: await c.freshContact() },
    }),
    expect: membershipDesk,
  },
  'Mutation.removeContact': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: removeContact(id: $id) { ${R} } }`,
      variables: { id: await c.freshContact() },
    }),
    expect: membershipDesk,
  },
  'Mutation.assignContactRole': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: assignContactRole(contactId: $id, role: ADMINISTRATIVE) { ${R} } }`,
      variables: { id: await c.freshContact() },
    }),
    expect: membershipDesk,
  },
  'Mutation.removeContactRole': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: removeContactRole(contactId: $id, role: SERVICE) { ${R} } }`,
      variables: { id: await c.freshContact() },
    }),
    expect: membershipDesk,
  },
};

/** A distinct valid SIREN per role, so allowed creations never collide with each other. */
function sirenFor(role: Role): string {
  const prefix = String(30_000_000 + ROLES.indexOf(role) * 1_000_003);
  for (let d = 0; d < 10; d++) {
    const s = prefix + d;
    const sum = [...s].reverse().reduce((acc, ch, i) => {
      const x = Number(ch) * (i % 2 ? 2 : 1);
      return acc + (x > 9 ? x - 9 : x);
    }, 0);
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}
