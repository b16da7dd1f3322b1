import { type Cast, CONTACTS_A, ROLES, type Role, STAFF, WRITING_STAFF } from './fixtures.js';
import { pendingDeskRequest, pendingSignature, returnedRequest, ticketOfA } from './requests.js';

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
  /**
   * A bulk mutation whose items are authorised one by one: the outcome is that of its first
   * item (`r.results[0]`, a ForbiddenError being a refusal), not of the field.
   */
  item?: boolean;
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
  'Query.staffMembers': {
    call: () => ({ query: '{ r: staffMembers(role: NOC) { id displayName } }' }),
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
  'Mutation.issueContactToken': {
    // A fresh contact per call, so an allowed cell gets a token rather than contact-has-token.
    call: async (c) => ({
      query: `mutation($id: ID!) { r: issueContactToken(input: { contactId: $id, name: "matrix", scope: READ }) { ${R} } }`,
      variables: { id: await c.freshContact() },
    }),
    expect: membershipDesk,
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
    call: (_c, role) => ({
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

const filers = only(['technical', 'desk', 'admin'], 'deny', ['technicalB']);
const deskStep = only(['desk', 'admin'], 'deny', ['technicalB']);
const operatorStep = only(['noc', 'desk', 'admin'], 'deny', ['technicalB']);
// Staff-only acts: a contact is refused by role, before any object is looked up, so the
// refusal says nothing about whether the object exists.
const nocOnly = only(['noc', 'admin']);
const ticketWorkers = only(WRITING_STAFF);

/** Workflow: requests, their steps, tickets and notifications. */
export const WORKFLOW_CASES: Record<string, Case> = {
  'Query.resources': {
    // Everyone signed in; a contact's list is narrowed to its own institution (the resolver).
    call: () => ({ query: '{ r: resources(first: 1) { edges { cursor } } }' }),
    expect: authenticated,
  },
  'Query.requests': {
    call: () => ({ query: '{ r: requests(first: 1) { edges { cursor } } }' }),
    expect: authenticated,
  },
  'Query.request': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: request(id: $id) { id } }',
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: institutionAReaders,
  },
  'Query.requestKinds': { call: () => ({ query: '{ r: requestKinds { kind } }' }), expect: authenticated },
  'Query.tickets': {
    call: () => ({ query: '{ r: tickets(first: 1) { edges { cursor } } }' }),
    expect: authenticated,
  },
  'Query.ticket': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: ticket(id: $id) { id } }',
      variables: { id: await ticketOfA(c) },
    }),
    expect: institutionAReaders,
  },
  'Query.notifications': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: notifications(requestId: $id) { id } }',
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: staffReaders,
  },
  'Mutation.requestAgreementChange': {
    call: (c) => ({
      query: `mutation($id: ID!) { r: requestAgreementChange(input: { institutionId: $id, bandwidthMbps: 4321, submit: false }) { ${R} } }`,
      variables: { id: c.institutionA },
    }),
    // B's technical contact is refused outright: filing is an act, not a read.
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.requestContactChange': {
    call: async (c) => ({
      query: `mutation($i: ID!, $c: ID!) { r: requestContactChange(input: { institutionId: $i, action: ADD_ROLE, contactId: $c, role: EDUROAM }) { ${R} } }`,
      variables: { i: c.institutionA, c: await c.freshContact() },
    }),
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.amendRequest': {
    call: async (c) => {
      const r = await pendingDeskRequest(c, { submit: false });
      const payload = JSON.stringify({ ...(r.payload as object), role: 'service' });
      return {
        query: `mutation($id: ID!, $p: String!, $rev: Int!) { r: amendRequest(input: { requestId: $id, payload: $p, revision: $rev }) { ${R} } }`,
        variables: { id: r.id, p: payload, rev: r.revision },
      };
    },
    expect: filers,
  },
  'Mutation.submitRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: submitRequest(input: { requestId: $id }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c, { submit: false })).id },
    }),
    expect: filers,
  },
  'Mutation.resubmitRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: resubmitRequest(input: { requestId: $id }) { ${R} } }`,
      variables: { id: (await returnedRequest(c)).id },
    }),
    expect: filers,
  },
  'Mutation.cancelRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: cancelRequest(input: { requestId: $id, reason: "no longer needed" }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: filers,
  },
  'Mutation.approveRequestStep': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "desk" }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: deskStep,
  },
  'Mutation.returnRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: returnRequest(input: { requestId: $id, reason: "incomplete" }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: operatorStep,
  },
  'Mutation.rejectRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: rejectRequest(input: { requestId: $id, reason: "not eligible" }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: operatorStep,
  },
  'Mutation.retryRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: retryRequest(input: { requestId: $id }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: nocOnly,
  },
  'Mutation.signRequest': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: signRequest(input: { requestId: $id, documentHash: "${'0'.repeat(64)}" }) { ${R} } }`,
      variables: { id: (await pendingSignature(c)).id },
    }),
    expect: only(['head'], 'deny', ['technicalB']),
  },
  'Mutation.takeTicket': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: takeTicket(input: { ticketId: $id }) { ${R} } }`,
      variables: { id: await ticketOfA(c) },
    }),
    expect: ticketWorkers,
  },
  'Mutation.assignTicket': {
    call: async (c) => ({
      query: `mutation($id: ID!, $s: ID!) { r: assignTicket(input: { ticketId: $id, staffId: $s }) { ${R} } }`,
      variables: { id: await ticketOfA(c), s: (c.actors.noc as { id: string }).id },
    }),
    expect: only(['noc', 'admin']),
  },
  'Mutation.releaseTicket': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: releaseTicket(input: { ticketId: $id }) { ${R} } }`,
      variables: { id: await ticketOfA(c) },
    }),
    expect: ticketWorkers,
  },
  'Mutation.addTicketComment': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: addTicketComment(input: { ticketId: $id, body: "Any news?", visibility: INSTITUTION }) { ${R} } }`,
      variables: { id: await ticketOfA(c) },
    }),
    // The technical contact who filed it may comment; the other contacts only read.
    expect: only([...WRITING_STAFF, 'technical'], 'deny', ['technicalB']),
  },
  'Mutation.actOnTickets': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: actOnTickets(input: { dryRun: true, items: [{ input: { ticketId: $id, action: TAKE } }] }) { ... on ActOnTicketsPayload { results { ${R} } } } }`,
      variables: { id: await ticketOfA(c) },
    }),
    // Each item as its single mutation: takeTicket is for the staff who work tickets.
    expect: ticketWorkers,
    item: true,
  },
  'Mutation.retryNotifications': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: retryNotifications(input: { requestId: $id }) { ${R} } }`,
      variables: { id: (await pendingDeskRequest(c)).id },
    }),
    expect: only(WRITING_STAFF),
  },
};
