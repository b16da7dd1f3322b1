import { type Actor, type Config, createLogger } from '@guichet/core';
import type { Database } from '@guichet/db';
import { builder, type GraphQLContext } from '@guichet/graphql';
import { freshDatabase } from '@guichet/testkit';
import { type GraphQLSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The whole package, as the api composes it: GraphQL types, ticket and notification listeners.
import { fileRequest } from '../index.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';
import { documentHash, registerTestKinds } from './test/kinds.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const desk = staff('dora', ['desk']);
const logger = createLogger('silent');

describe(`request GraphQL API on ${engine}`, () => {
  let database: Database;
  let schema: GraphQLSchema;
  let a: InstitutionFixture;
  let b: InstitutionFixture;

  async function gql(
    actor: Actor,
    source: string,
    variableValues: Record<string, unknown> = {},
    // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary response shapes
  ): Promise<any> {
    const contextValue: GraphQLContext = {
      ctx: as(actor),
      database,
      config: {} as Config,
      logger,
      jobs: null,
      env: envOf(database),
    };
    return graphql({ schema, source, variableValues, contextValue });
  }
  const file = () =>
    fileRequest(database.db, as(a.technical), envOf(database), {
      kind: 'test.flow',
      institutionId: a.id,
      payload: { label: 'g', size: 2 },
    });

  const REQUEST = `query($id: ID!) { request(id: $id) {
    id kind title institutionId status currentStep pendingActor revision payload reason
    steps { name type actor state attempts actedBy }
    history { type actor httpRequestId step fromStatus toStatus }
    document { text hash }
  } }`;
  const ACT = (mutation: string, result: string, input = `${result}Input`) => `mutation($input: ${input}!) {
    ${mutation}(input: $input) {
      __typename
      ... on ${result}Payload { request { status currentStep reason revision } }
      ... on Error { message code }
      ... on ValidationError { issues { path message } }
    } }`;

  beforeAll(async () => {
    registerTestKinds();
    schema = builder.toSchema();
    database = await freshDatabase();
    a = await seedInstitution(database, 'ALPHA');
    b = await seedInstitution(database, 'BETA');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('lists the kinds with their steps', async () => {
    const res = await gql(
      a.security,
      '{ requestKinds { kind queue steps { name type actor waitsOnInstitution } } }',
    );
    const flow = res.data.requestKinds.find((k: { kind: string }) => k.kind === 'test.flow');
    expect(flow.steps).toEqual([
      { name: 'prepare', type: 'AUTOMATIC', actor: null, waitsOnInstitution: false },
      { name: 'review', type: 'HUMAN', actor: 'DESK', waitsOnInstitution: false },
      { name: 'sign', type: 'HUMAN', actor: 'HEAD', waitsOnInstitution: true },
    ]);
  });

  it('shows a request to its institution and to staff, and to nobody else', async () => {
    const req = await file();
    const mine = await gql(a.security, REQUEST, { id: req.id });
    expect(mine.errors).toBeUndefined();
    expect(mine.data.request).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'review',
      pendingActor: 'DESK',
      title: 'Test flow',
      document: { hash: documentHash('g#1') },
    });
    expect(JSON.parse(mine.data.request.payload)).toEqual({ label: 'g', size: 2 });
    expect(mine.data.request.steps.map((s: { state: string }) => s.state)).toEqual([
      'DONE',
      'PENDING',
      'NOT_STARTED',
    ]);
    expect(mine.data.request.history.map((e: { type: string }) => e.type)).toEqual([
      'filed',
      'submitted',
      'step_completed',
      'step_started',
    ]);
    expect((await gql(b.technical, REQUEST, { id: req.id })).data.request).toBeNull();
    expect((await gql(desk, REQUEST, { id: req.id })).data.request.id).toBe(req.id);
    const list = await gql(b.technical, '{ requests(first: 50) { edges { node { institutionId } } } }');
    expect(
      list.data.requests.edges.every(
        (e: { node: { institutionId: string } }) => e.node.institutionId === b.id,
      ),
    ).toBe(true);
    // The ticket listener heard the submission (same transaction).
    const tickets = await database.query('SELECT queue FROM workflow_tickets WHERE request_id = $1', [
      req.id,
    ]);
    expect(tickets).toEqual([{ queue: 'test' }]);
  });

  it('approves, returns typed errors for stale or invalid actions, and throws on forbidden ones', async () => {
    const req = await file();
    const approve = ACT('approveRequestStep', 'ApproveRequestStep');
    const input = { requestId: req.id, step: 'review' };
    const forbidden = await gql(a.technical, approve, { input });
    expect(forbidden.errors[0].message).toBe(
      'Only the person the pending step waits for may advance this request',
    );
    const readOnly = await gql(staff('dora', ['desk'], 'read'), approve, { input });
    expect(readOnly.errors[0].message).toMatch(/not allowed/);
    const ok = await gql(desk, approve, { input });
    expect(ok.data.approveRequestStep).toMatchObject({
      __typename: 'ApproveRequestStepPayload',
      request: { currentStep: 'sign' },
    });
    const stale = await gql(desk, approve, { input });
    expect(stale.data.approveRequestStep).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });

    const sign = ACT('signRequest', 'SignRequest');
    const wrong = await gql(a.head, sign, { input: { requestId: req.id, documentHash: 'abc' } });
    expect(wrong.data.signRequest).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'documentHash'] }],
    });
    const signed = await gql(a.head, sign, {
      input: { requestId: req.id, documentHash: documentHash('g#1') },
    });
    expect(signed.data.signRequest).toMatchObject({ request: { status: 'COMPLETED' } });
    const again = await gql(a.head, sign, {
      input: { requestId: req.id, documentHash: documentHash('g#1') },
    });
    expect(again.data.signRequest).toMatchObject({ __typename: 'InvalidTransitionError' });
    const late = await gql(desk, ACT('rejectRequest', 'RejectRequest'), {
      input: { requestId: req.id, reason: 'late' },
    });
    expect(late.data.rejectRequest).toMatchObject({
      __typename: 'InvalidTransitionError',
      code: 'INVALID_TRANSITION',
    });
    const other = await gql(b.technical, ACT('cancelRequest', 'CancelRequest'), {
      input: { requestId: req.id },
    });
    expect(other.data.cancelRequest).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('returns, amends and resubmits through the API', async () => {
    const req = await file();
    const blank = await gql(desk, ACT('returnRequest', 'ReturnRequest'), {
      input: { requestId: req.id, reason: ' ' },
    });
    expect(blank.data.returnRequest).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'reason'] }],
    });
    const returned = await gql(desk, ACT('returnRequest', 'ReturnRequest'), {
      input: { requestId: req.id, step: 'review', reason: 'size too small' },
    });
    expect(returned.data.returnRequest.request).toMatchObject({
      status: 'RETURNED',
      reason: 'size too small',
    });
    const amend = ACT('amendRequest', 'AmendRequest');
    const badJson = await gql(a.technical, amend, {
      input: { requestId: req.id, revision: 1, payload: '{' },
    });
    expect(badJson.data.amendRequest.issues[0].path).toEqual(['input', 'payload']);
    const payload = JSON.stringify({ label: 'g', size: 5 });
    const stale = await gql(a.technical, amend, {
      input: { requestId: req.id, revision: req.revision, payload },
    });
    expect(stale.data.amendRequest.__typename).toBe('ConflictError');
    const revision = returned.data.returnRequest.request.revision;
    const amended = await gql(a.technical, amend, { input: { requestId: req.id, revision, payload } });
    expect(amended.data.amendRequest.__typename).toBe('AmendRequestPayload');
    const again = await gql(a.technical, ACT('resubmitRequest', 'ResubmitRequest', 'SubmitRequestInput'), {
      input: { requestId: req.id },
    });
    expect(again.data.resubmitRequest.request).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'review',
    });
    const retry = await gql(desk, ACT('retryRequest', 'RetryRequest'), { input: { requestId: req.id } });
    expect(retry.errors[0].message).toMatch(/not allowed/);
  });

  it('describes every type, field and argument it adds', () => {
    const mine =
      /^(Request|StepActor|StepType|StepState|(Amend|Submit|Resubmit|ApproveRequestStep|Sign|Return|Reject|Cancel|Retry)Request)/;
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!mine.test(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if ('getFields' in type) {
        for (const f of Object.values(type.getFields())) {
          if (!f.description) missing.push(`${type.name}.${f.name}`);
          for (const arg of 'args' in f ? f.args : [])
            if (!arg.description) missing.push(`${type.name}.${f.name}(${arg.name})`);
        }
      }
      if ('getValues' in type)
        for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});
