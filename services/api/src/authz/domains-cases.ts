import { domains } from '@guichet/domains';
import type { Case } from './cases.js';
import type { Cast } from './fixtures.js';
import { CONTACTS_A, type ROLES, STAFF } from './fixtures.js';

/** Rules for the domains root fields (see cases.ts for the vocabulary). */

const only =
  (allowed: readonly string[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly string[] = []) =>
  (role: (typeof ROLES)[number]) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
const filers = only(['technical', 'desk', 'admin']);
let n = 0;

/** An active .fr name of institution A, written directly (the matrix judges access, not the flow). */
async function domainA(c: Cast): Promise<string> {
  const [row] = await c.database.db
    .insert(domains)
    .values({
      institutionId: c.institutionA,
      name: `matrix-${++n}-${Date.now() % 1e6}.fr`,
      uName: `matrix-${n}.fr`,
      zone: 'fr',
      state: 'active',
      holder: { name: 'Matrix', legalStatus: 'other', siren: '180089013', country: 'FR', city: 'Paris' },
      adminContactId: c.contactIdOf('administrative'),
      techContactIds: [c.contactIdOf('technical')],
      nameservers: [
        { name: 'ns1.matrix.example', addresses: [] },
        { name: 'ns2.matrix.example', addresses: [] },
      ],
      periodYears: 1,
      priceCents: 0,
      pricing: 'tutelle',
      requestId: c.institutionA,
    })
    .returning();
  return String(row?.id);
}

const shared = new WeakMap<Cast, Promise<string>>();
const sharedDomainA = (c: Cast) => {
  let p = shared.get(c);
  if (!p) {
    p = domainA(c);
    shared.set(c, p);
  }
  return p;
};

const change = (mutation: string, fields: string): Case => ({
  call: async (c) => ({
    query: `mutation($id: ID!) { r: ${mutation}(input: { domainId: $id${fields} }) { ${R} } }`,
    variables: { id: await domainA(c) },
  }),
  expect: filers,
});

export const DOMAINS_CASES: Record<string, Case> = {
  'Query.domain': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: domain(id: $id) { id name } }',
      variables: { id: await sharedDomainA(c) },
    }),
    expect: only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']),
  },
  'Query.domains': { call: () => ({ query: '{ r: domains(limit: 1) { id } }' }), expect: only(STAFF) },
  'Query.domainPollMessages': {
    call: () => ({ query: '{ r: domainPollMessages(limit: 1) { registryId } }' }),
    expect: only(STAFF),
  },
  'Query.checkDomainName': {
    call: () => ({ query: '{ r: checkDomainName(name: "école.fr") { charterOk aName } }' }),
    expect: only([...CONTACTS_A, 'technicalB', ...STAFF]),
  },
  'Mutation.requestDomain': {
    call: (c) => ({
      query: `mutation($id: ID!, $admin: ID!, $tech: ID!) { r: requestDomain(input: { institutionId: $id, name: "matrix-${++n}.fr", adminContactId: $admin, techContactIds: [$tech], nameservers: [{ name: "ns1.matrix.example" }, { name: "ns2.matrix.example" }], submit: false }) { ${R} } }`,
      variables: {
        id: c.institutionA,
        admin: c.contactIdOf('administrative'),
        tech: c.contactIdOf('technical'),
      },
    }),
    expect: filers,
  },
  'Mutation.requestDomainTransfer': {
    call: (c) => ({
      query: `mutation($id: ID!, $admin: ID!, $tech: ID!) { r: requestDomainTransfer(input: { institutionId: $id, name: "arrive-${++n}.fr", authInfo: "Transfer-9x", adminContactId: $admin, techContactIds: [$tech], nameservers: [{ name: "ns1.matrix.example" }, { name: "ns2.matrix.example" }] }) { ${R} } }`,
      variables: {
        id: c.institutionA,
        admin: c.contactIdOf('administrative'),
        tech: c.contactIdOf('technical'),
      },
    }),
    expect: filers,
  },
  'Mutation.requestDomainNameServerChange': change(
    'requestDomainNameServerChange',
    ', nameservers: [{ name: "ns3.matrix.example" }, { name: "ns4.matrix.example" }]',
  ),
  'Mutation.requestDomainContactChange': {
    call: async (c) => ({
      query: `mutation($id: ID!, $admin: ID!, $tech: ID!) { r: requestDomainContactChange(input: { domainId: $id, adminContactId: $admin, techContactIds: [$tech] }) { ${R} } }`,
      variables: {
        id: await domainA(c),
        admin: c.contactIdOf('technical'),
        tech: c.contactIdOf('administrative'),
      },
    }),
    expect: filers,
  },
  'Mutation.requestDomainHolderChange': change(
    'requestDomainHolderChange',
    ', holder: { name: "Autre", legalStatus: "company", siren: "775684764", city: "Paris" }',
  ),
  'Mutation.requestDomainRenewal': change('requestDomainRenewal', ', periodYears: 1'),
  'Mutation.requestDomainDeletion': change('requestDomainDeletion', ''),
  'Mutation.requestDomainRestore': change('requestDomainRestore', ''),
};
