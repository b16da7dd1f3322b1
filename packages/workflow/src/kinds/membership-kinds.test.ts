import { type Actor, type Config, createLogger } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { builder, type GraphQLContext } from '@guichet/graphql';
import { agreementVersions, contactRoles, contacts, currentAgreement, sites } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { type GraphQLSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf } from '../requests/test/fixtures.js';
import '../index.js';
import { as, type InstitutionFixture, seedInstitution, staff } from '../requests/test/fixtures.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const desk = staff('dora', ['desk']);
const noc = staff('nadia', ['noc']);
const logger = createLogger('silent');

const RESULT = (name: string) => `
  __typename
  ... on ${name}Payload { request { id status currentStep pendingActor reason revision
    document { hash } agreementVersion { version status bandwidthMbps } } }
  ... on Error { message code }
  ... on ValidationError { issues { path message } }`;
const FILE_AGREEMENT = `mutation($input: RequestAgreementChangeInput!) { requestAgreementChange(input: $input) { ${RESULT('RequestAgreementChange')} } }`;
const FILE_CONTACT = `mutation($input: RequestContactChangeInput!) { requestContactChange(input: $input) { ${RESULT('RequestContactChange')} } }`;
const SIGN = `mutation($input: SignRequestInput!) { signRequest(input: $input) { ${RESULT('SignRequest')} } }`;
const APPROVE = `mutation($input: ApproveRequestStepInput!) { approveRequestStep(input: $input) { ${RESULT('ApproveRequestStep')} } }`;
const RETURN = `mutation($input: ReturnRequestInput!) { returnRequest(input: $input) { ${RESULT('ReturnRequest')} } }`;
const REJECT = `mutation($input: RejectRequestInput!) { rejectRequest(input: $input) { ${RESULT('RejectRequest')} } }`;
const CANCEL = `mutation($input: CancelRequestInput!) { cancelRequest(input: $input) { ${RESULT('CancelRequest')} } }`;
const RESUBMIT = `mutation($input: SubmitRequestInput!) { resubmitRequest(input: $input) { ${RESULT('ResubmitRequest')} } }`;

describe(`membership request kinds on ${engine}`, () => {
  let database: Database;
  let schema: GraphQLSchema;
  let a: InstitutionFixture;
  let b: InstitutionFixture;
  let secondarySiteId: string;

  // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary response shapes
  async function gql(actor: Actor, source: string, input: Record<string, unknown>): Promise<any> {
    const contextValue: GraphQLContext = {
      ctx: as(actor),
      database,
      config: {} as Config,
      logger,
      jobs: null,
      env: envOf(database),
    };
    const res = await graphql({ schema, source, variableValues: { input }, contextValue });
    if (res.errors) throw res.errors[0];
    return Object.values(res.data!)[0];
  }
  const versions = async () =>
    (
      await database.db.select().from(agreementVersions).where(eq(agreementVersions.institutionId, a.id))
    ).sort((x, y) => x.version - y.version);

  beforeAll(async () => {
    schema = builder.toSchema();
    database = await freshDatabase();
    a = await seedInstitution(database, 'ALPHA');
    b = await seedInstitution(database, 'BETA');
    const [, second] = await database.db
      .insert(sites)
      .values([
        { institutionId: a.id, name: 'Campus', address: '1 rue A', city: 'Rennes', main: true },
        { institutionId: a.id, name: 'Annexe', address: '2 rue B', city: 'Brest', main: false },
      ])
      .returning();
    secondarySiteId = second!.id;
    // Version 1, in force: signed and validated before these tests.
    await database.db.insert(agreementVersions).values({
      institutionId: a.id,
      version: 1,
      status: 'active',
      conventionRef: 'CONV-2024',
      charterRef: 'CHARTE-2024',
      securityContactId: a.contactIds.security,
      bandwidthMbps: 1000,
      services: ['ipam'],
      documentHash: 'a'.repeat(64),
      signedDocument: 'Agreement version 1',
      signedAt: new Date(),
      signedByName: 'head ALPHA',
      createdBy: 'test',
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('agreement change: draft, the head signs what they read, the desk validates', async () => {
    const filed = await gql(a.technical, FILE_AGREEMENT, {
      institutionId: a.id,
      bandwidthMbps: 10_000,
      secondarySiteIds: [secondarySiteId],
      activateServices: ['EDUROAM'],
    });
    expect(filed.request).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'signature',
      pendingActor: 'HEAD',
      agreementVersion: { version: 2, status: 'DRAFT', bandwidthMbps: 10_000 },
    });
    const id = filed.request.id;
    const hash = filed.request.document.hash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Only the head signs; the technical contact may not.
    await expect(gql(a.technical, SIGN, { requestId: id, documentHash: hash })).rejects.toThrow(
      /person the pending step/,
    );
    const signed = await gql(a.head, SIGN, { requestId: id, documentHash: hash });
    expect(signed.request).toMatchObject({
      currentStep: 'validation',
      pendingActor: 'DESK',
      agreementVersion: { status: 'SIGNED' },
    });
    await expect(gql(noc, APPROVE, { requestId: id, step: 'validation' })).rejects.toThrow(
      /person the pending step/,
    );
    const done = await gql(desk, APPROVE, { requestId: id, step: 'validation' });
    expect(done.request).toMatchObject({ status: 'COMPLETED', agreementVersion: { status: 'ACTIVE' } });
    const active = await currentAgreement(database.db, a.id);
    expect(active).toMatchObject({ version: 2, bandwidthMbps: 10_000, secondarySiteIds: [secondarySiteId] });
    expect([...active!.services].sort()).toEqual(['eduroam', 'ipam']);
    expect((await versions()).map((v) => v.status)).toEqual(['superseded', 'active']);
  });

  it('agreement change: refuses bad input with field paths and writes nothing', async () => {
    const before = (await versions()).length;
    const none = await gql(a.technical, FILE_AGREEMENT, { institutionId: a.id });
    expect(none).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input'] }] });
    const notSecurity = await gql(a.technical, FILE_AGREEMENT, {
      institutionId: a.id,
      securityContactId: a.contactIds.head,
    });
    expect(notSecurity).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'securityContactId'] }],
    });
    const bad = await gql(a.technical, FILE_AGREEMENT, { institutionId: a.id, bandwidthMbps: -5 });
    expect(bad.issues[0].path).toEqual(['input', 'bandwidthMbps']);
    await expect(gql(a.security, FILE_AGREEMENT, { institutionId: a.id, bandwidthMbps: 5 })).rejects.toThrow(
      /technical contact/,
    );
    expect((await versions()).length).toBe(before);
    const requests = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_requests WHERE status = 'draft' OR (status = 'in_progress' AND institution_id = $1)`,
      [a.id],
    );
    expect(requests[0]!.n).toBe(0);
  });

  it('agreement change: a return withdraws the draft; the resubmission drafts again and an old hash is refused', async () => {
    const filed = await gql(a.technical, FILE_AGREEMENT, { institutionId: a.id, bandwidthMbps: 20_000 });
    const id = filed.request.id;
    const oldHash = filed.request.document.hash;
    // A second change while one is pending: one pending version at a time.
    const second = await gql(a.technical, FILE_AGREEMENT, { institutionId: a.id, bandwidthMbps: 30_000 });
    expect(second.__typename).toBe('ConflictError');
    const returned = await gql(noc, RETURN, {
      requestId: id,
      step: 'signature',
      reason: 'bandwidth above the port',
    });
    expect(returned.request).toMatchObject({ status: 'RETURNED', agreementVersion: { status: 'WITHDRAWN' } });
    const again = await gql(a.technical, RESUBMIT, { requestId: id });
    expect(again.request).toMatchObject({
      currentStep: 'signature',
      agreementVersion: { version: 4, status: 'DRAFT' },
    });
    const stale = await gql(a.head, SIGN, { requestId: id, documentHash: oldHash });
    expect(stale).toMatchObject({
      __typename: 'ConflictError',
      message: 'the document changed since you read it',
    });
    // The head declines: cancelling while the signature waits withdraws the draft too.
    const cancelled = await gql(a.technical, CANCEL, { requestId: id, reason: 'not now' });
    expect(cancelled.request).toMatchObject({
      status: 'CANCELLED',
      agreementVersion: { status: 'WITHDRAWN' },
    });
    expect((await currentAgreement(database.db, a.id))?.bandwidthMbps).toBe(10_000);
  });

  it('contact change: the desk adds a contact the institution asked for', async () => {
    const filed = await gql(a.technical, FILE_CONTACT, {
      institutionId: a.id,
      action: 'ADD',
      name: 'Eve Roam',
      email: 'eve@alpha.example',
      roles: ['EDUROAM'],
    });
    expect(filed.request).toMatchObject({ status: 'IN_PROGRESS', currentStep: 'desk', pendingActor: 'DESK' });
    const done = await gql(desk, APPROVE, { requestId: filed.request.id, step: 'desk' });
    expect(done.request.status).toBe('COMPLETED');
    const [eve] = await database.db.select().from(contacts).where(eq(contacts.email, 'eve@alpha.example'));
    expect(eve).toMatchObject({ institutionId: a.id, name: 'Eve Roam' });
    const roles = await database.db.select().from(contactRoles).where(eq(contactRoles.contactId, eve!.id));
    expect(roles.map((r) => r.role)).toEqual(['eduroam']);
  });

  it('contact change: field paths, other institutions, and membership rules at the desk', async () => {
    const noEmail = await gql(a.technical, FILE_CONTACT, {
      institutionId: a.id,
      action: 'ADD',
      name: 'X',
      roles: ['SERVICE'],
    });
    expect(noEmail).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'email'] }] });
    const foreign = await gql(a.technical, FILE_CONTACT, {
      institutionId: a.id,
      action: 'ADD_ROLE',
      contactId: b.contactIds.technical,
      role: 'SERVICE',
    });
    expect(foreign).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'contactId'] }],
    });
    // Removing the security contact the active agreement declares: the desk is told why, and rejects.
    const filed = await gql(a.technical, FILE_CONTACT, {
      institutionId: a.id,
      action: 'REMOVE',
      contactId: a.contactIds.security,
    });
    const refused = await gql(desk, APPROVE, { requestId: filed.request.id, step: 'desk' });
    expect(refused).toMatchObject({ __typename: 'PolicyRefusalError' });
    const rejected = await gql(desk, REJECT, {
      requestId: filed.request.id,
      reason: 'sign a new security contact first',
    });
    expect(rejected.request).toMatchObject({
      status: 'REJECTED',
      reason: 'sign a new security contact first',
    });
  });
});
