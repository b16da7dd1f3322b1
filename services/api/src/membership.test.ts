import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { listContacts, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { createEnv } from '@guichet/workflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemo } from './demo.js';
import { staffWithToken, testApp, tokenForContact } from './test-app.js';

/**
 * Api tier of membership: what the agreement desk and the contacts see through GraphQL. The
 * demo seed provides four institutions with a contact in every role and an active agreement.
 */

const ERR = '... on Error { __typename code message } ... on ValidationError { issues { path message } }';
const REFUSAL = '... on PolicyRefusalError { rule }';
const CREATE_INSTITUTION = `mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) {
  __typename ... on CreateInstitutionPayload { institution { id name kind siren sites { name main } } agreementVersion { version status documentHash } }
  ${ERR} } }`;
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) {
  __typename ... on CreateContactPayload { contact { id email phone roles } } ${ERR} ${REFUSAL} } }`;
const ASSIGN = `mutation($id: ID!, $role: ContactRole!) { assignContactRole(contactId: $id, role: $role) {
  __typename ... on AssignContactRolePayload { contact { roles } } ${ERR} ${REFUSAL} } }`;
const INSTITUTION = `query($id: ID!) { institution(id: $id) {
  id name shortName kind status siren collector
  sites { name main }
  contacts(role: HEAD) { name roles }
  agreement { version status services bandwidthMbps securityContact { name } secondarySites { name } document documentHash signedByName }
  agreementVersions { version status }
} }`;

type App = Awaited<ReturnType<typeof testApp>>;

describe('membership over GraphQL', () => {
  let database: Database;
  let t: App;
  let desk: string;
  let institutions: { id: string; name: string }[];

  const contactToken = (contactId: string, scope: 'read' | 'write' = 'write') =>
    tokenForContact(database, contactId, scope);
  async function contactOf(institutionId: string, role: 'technical' | 'security' | 'head') {
    return (await listContacts(database.db, institutionId, role))[0]!;
  }
  const rowCount = async (table: string) =>
    Number((await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, { FEDERATION_TRUSTED_PROXIES: '127.0.0.1' });
    desk = (await staffWithToken(database, 'guichetiere', ['desk'])).token;
    const list = await t.gql('{ institutions(first: 10) { edges { node { id name } } } }', {}, desk);
    institutions = list.body.data.institutions.edges.map((e: { node: unknown }) => e.node);
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });
  afterEach(() => {
    const crashes = t.crashes();
    t.logs.length = 0;
    expect(crashes).toEqual([]);
  });

  const input = (over: Record<string, unknown> = {}) => ({
    name: 'Université Example',
    shortName: 'UEX',
    kind: 'CONTRAT',
    siren: '732 829 320',
    collector: 'Collecte Example',
    mainSite: { name: 'Campus', address: '1 rue A', city: 'Nantes' },
    secondarySites: [{ name: 'Annexe', address: '2 rue B', city: 'Saint-Nazaire' }],
    agreement: { conventionRef: 'CONV-1', charterRef: 'CHARTE-1', bandwidthMbps: 1000, services: ['IPAM'] },
    ...over,
  });

  it('lets the desk create an institution, with a draft agreement v1', async () => {
    const r = await t.gql(CREATE_INSTITUTION, { input: input() }, desk, { 'x-request-id': 'gql-create-1' });
    expect(r.body.data.createInstitution).toMatchObject({
      __typename: 'CreateInstitutionPayload',
      institution: {
        name: 'Université Example',
        kind: 'CONTRAT',
        siren: '732829320',
        sites: [
          { name: 'Campus', main: true },
          { name: 'Annexe', main: false },
        ],
      },
      agreementVersion: {
        version: 1,
        status: 'DRAFT',
        documentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    const log = await database.query<{ actor: string }>(
      `SELECT actor FROM audit_changes WHERE request_id = 'gql-create-1'`,
    );
    expect(log.length).toBe(4);
    expect(new Set(log.map((l) => l.actor))).toEqual(new Set(['staff:guichetiere']));
  });

  it.each([
    [
      'bandwidth −5',
      { agreement: { conventionRef: 'C', charterRef: 'C', bandwidthMbps: -5 } },
      ['input', 'agreement', 'bandwidthMbps'],
    ],
    ['a SIRET with a bad checksum', { siren: '552100554', siret: '55210055400010' }, ['input', 'siret']],
    [
      'a SIRET not starting with the SIREN',
      { siren: '552100554', siret: '73282932000074' },
      ['input', 'siret'],
    ],
  ])('answers %s with a typed ValidationError naming the field, writing nothing', async (_w, over, path) => {
    const before = await rowCount('membership_institutions');
    const r = await t.gql(CREATE_INSTITUTION, { input: input({ shortName: 'NEW', ...over }) }, desk);
    const res = r.body.data.createInstitution;
    expect(res).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    expect(res.issues.map((i: { path: string[] }) => i.path)).toContainEqual(path.map(String));
    expect(await rowCount('membership_institutions')).toBe(before);
  });

  it('answers a duplicate SIREN with a ConflictError', async () => {
    const r = await t.gql(CREATE_INSTITUTION, { input: input({ shortName: 'OTHER' }) }, desk);
    expect(r.body.data.createInstitution).toEqual({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      message: 'SIREN 732829320 is already registered',
    });
  });

  it('answers email "x" with a ValidationError on input.email; a third federation contact with a PolicyRefusalError', async () => {
    const inst = institutions[0]!;
    const bad = await t.gql(
      CREATE_CONTACT,
      { input: { institutionId: inst.id, name: 'X', email: 'x' } },
      desk,
    );
    expect(bad.body.data.createContact.issues).toEqual([
      { path: ['input', 'email'], message: '"x" is not an email address' },
    ]);
    const ok = await t.gql(
      CREATE_CONTACT,
      {
        input: {
          institutionId: inst.id,
          name: 'Nouveau',
          email: 'nouveau@example.fr',
          phone: '01 02 03 04 05',
        },
      },
      desk,
    );
    expect(ok.body.data.createContact.contact).toMatchObject({
      email: 'nouveau@example.fr',
      phone: '+33102030405',
      roles: [],
    });
    const third = await t.gql(
      ASSIGN,
      { id: ok.body.data.createContact.contact.id, role: 'FEDERATION' },
      desk,
    );
    expect(third.body.data.assignContactRole).toMatchObject({
      __typename: 'PolicyRefusalError',
      rule: 'federation-contacts',
    });
  });

  it('shows a contact their institution: sites, contacts, the active agreement and its signed document', async () => {
    const inst = institutions.find((i) => i.name === 'Université de Lyon-Example')!;
    const token = await contactToken((await contactOf(inst.id, 'security')).id, 'read');
    const r = await t.gql(INSTITUTION, { id: inst.id }, token);
    expect(r.body.errors).toBeUndefined();
    const got = r.body.data.institution;
    expect(got).toMatchObject({
      kind: 'TUTELLE',
      status: 'ACTIVE',
      contacts: [{ name: 'Claire Martin', roles: ['HEAD'] }],
    });
    expect(got.agreement).toMatchObject({
      version: 1,
      status: 'ACTIVE',
      securityContact: { name: 'Sophie Petit' },
      signedByName: 'Claire Martin',
      secondarySites: [{ name: 'Campus Porte des Alpes' }, { name: 'Site Rockefeller' }],
    });
    expect(got.agreement.services).toEqual(['DOMAINS', 'EDUROAM', 'FEDERATION', 'IPAM', 'RDNS', 'ROUTING']);
    expect(got.agreement.document).toContain('Committed bandwidth: 10000 Mbit/s');
    expect(got.agreementVersions).toEqual([{ version: 1, status: 'ACTIVE' }]);
  });

  it('gives a technical contact of B nothing of A: null, never data, never an error that names it', async () => {
    const [a, b] = [institutions[0]!, institutions[1]!];
    const token = await contactToken((await contactOf(b.id, 'technical')).id);
    const headOfA = await contactOf(a.id, 'head');
    const versionOfA = (await t.gql(INSTITUTION, { id: a.id }, desk)).body.data.institution;
    const avId = (
      await database.query<{ id: string }>(
        'SELECT id FROM membership_agreement_versions WHERE institution_id = $1',
        [a.id],
      )
    )[0]!.id;
    const r = await t.gql(
      `query($a: ID!, $c: ID!, $v: ID!) { institution(id: $a) { name } contact(id: $c) { name } agreementVersion(id: $v) { document } institutions { edges { node { id } } } }`,
      { a: a.id, c: headOfA.id, v: avId },
      token,
    );
    expect(r.body).toEqual({
      data: {
        institution: null,
        contact: null,
        agreementVersion: null,
        institutions: { edges: [{ node: { id: b.id } }] },
      },
    });
    expect(JSON.stringify(r.body)).not.toContain(versionOfA.name);
    const junk = await t.gql('{ institution(id: "not-an-id") { name } }', {}, token);
    expect(junk.body).toEqual({ data: { institution: null } });
  });

  it('refuses every membership mutation to a security contact (FORBIDDEN), writing nothing', async () => {
    const inst = institutions[2]!;
    const token = await contactToken((await contactOf(inst.id, 'security')).id);
    const before = await rowCount('membership_contacts');
    const r = await t.gql(
      CREATE_CONTACT,
      { input: { institutionId: inst.id, name: 'Moi', email: 'moi@example.fr' } },
      token,
    );
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.body.data).toBeNull();
    const c = await t.gql(
      CREATE_INSTITUTION,
      { input: input({ shortName: 'SELF', siren: '552100554' }) },
      token,
    );
    expect(c.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await rowCount('membership_contacts')).toBe(before);
  });

  it('logs a contact in through the federation header, case-insensitively; a removed contact is refused', async () => {
    const viewer = (eppn: string) =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        remoteAddress: '127.0.0.1',
        headers: { 'content-type': 'application/json', accept: 'application/json', eppn },
        payload: JSON.stringify({ query: '{ viewer { kind name authMethod } }' }),
      });
    const res = await viewer('Julien.Bernard@UNIV-LYON-EXAMPLE.fr');
    expect(res.json().data.viewer).toEqual({
      kind: 'CONTACT',
      name: 'Julien Bernard',
      authMethod: 'federation',
    });
    const inst = institutions[3]!;
    const tech = await contactOf(inst.id, 'technical');
    const token = await contactToken(tech.id);
    const removed = await t.gql(
      `mutation($id: ID!) { removeContact(id: $id) { __typename } }`,
      { id: tech.id },
      desk,
    );
    expect(removed.body.data.removeContact.__typename).toBe('RemoveContactPayload');
    expect((await t.gql('{ viewer { kind } }', {}, token)).status).toBe(401);
    expect((await viewer(tech.eppn!)).statusCode).toBe(401);
  });

  it('ensureDemo seeds the demo institutions once', async () => {
    const other = await freshDatabase();
    try {
      const env = createEnv({ database: other, lines: [] });
      await ensureDemo(env, new Date());
      await ensureDemo(env, new Date());
      expect(
        (await other.query<{ n: number }>('SELECT count(*)::int AS n FROM membership_institutions'))[0]?.n,
      ).toBe(4);
    } finally {
      await other.close();
    }
  });
});
