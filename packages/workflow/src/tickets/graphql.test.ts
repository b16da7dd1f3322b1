import { type Actor, createLogger, fixedClock, loadConfig, newRequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { builder, type GraphQLContext } from '@guichet/graphql';
import { freshDatabase } from '@guichet/testkit';
import { type GraphQLSchema, graphql, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf } from '../requests/test/fixtures.js';
import '../notify/index.js';
import { addComment, setSlaTargets, ticketForRequest } from './index.js';
import { contact, contactActor, emit, institution, minutes, request, staffActor } from './test/fixtures.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const noc = staffActor('jdupont', ['noc']);
const noc2 = staffActor('pmartin', ['noc']);

describe(`tickets over GraphQL on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let schema: GraphQLSchema;
  let techA: Actor;
  let techB: Actor;
  let ticketA: string;
  let requestA: string;
  const clock = fixedClock(minutes(T0, 90));

  async function gql(actor: Actor, source: string, variableValues: Record<string, unknown> = {}) {
    const contextValue: GraphQLContext = {
      ctx: newRequestContext({ actor, clock }),
      database,
      config: loadConfig({}),
      logger: createLogger('silent'),
      jobs: null,
      env: envOf(database),
    };
    // biome-ignore lint/suspicious/noExplicitAny: loosely typed GraphQL JSON in a test
    return (await graphql({ schema, source, variableValues, contextValue })) as any;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    schema = builder.toSchema();
    setSlaTargets('membership.gqlProbe', { responseMinutes: 60, resolutionMinutes: 600 });
    const a = (await institution(database, 'Université Gamma')).id;
    const b = (await institution(database, 'Université Delta')).id;
    techA = contactActor(await contact(database, a, 'Tech A', 'tech@gamma.fr', ['technical']));
    techB = contactActor(await contact(database, b, 'Tech B', 'tech@delta.fr', ['technical']));
    const reqA = await request(database, a, 'membership.gqlProbe', null);
    const reqB = await request(database, b, 'membership.gqlProbe', null);
    await emit(database, 'submitted', reqA, { clock: fixedClock(T0) });
    await emit(database, 'submitted', reqB, { clock: fixedClock(minutes(T0, 80)) });
    requestA = reqA.id;
    ticketA = (await ticketForRequest(database.db, reqA.id))!.id;
    const ctx = newRequestContext({ actor: noc, clock: fixedClock(minutes(T0, 1)) });
    await addComment(database.db, ctx, { ticketId: ticketA, body: 'note interne', visibility: 'internal' });
  });
  afterAll(async () => {
    await database.close();
  });

  const LIST = `query($overdue: Boolean) { tickets(first: 10, overdue: $overdue) { edges { node {
    id state queue kind institutionName ownerId
    sla { responseDueAt resolutionDueAt responseBreached resolutionBreached resolutionElapsedRatio paused pausedSeconds escalation }
    comments { body visibility } } } } }`;

  it('staff see every queue with both SLA clocks; overdue finds the late one', async () => {
    const all = await gql(noc, LIST);
    expect(all.errors).toBeUndefined();
    expect(all.data.tickets.edges).toHaveLength(2);
    const late = await gql(noc, LIST, { overdue: true });
    const node = late.data.tickets.edges.map((e: { node: unknown }) => e.node);
    expect(node).toEqual([
      expect.objectContaining({
        id: ticketA,
        state: 'NEW',
        queue: 'membership',
        institutionName: 'Université Gamma',
        comments: [{ body: 'note interne', visibility: 'INTERNAL' }],
        sla: expect.objectContaining({
          responseDueAt: '2026-03-02T09:00:00.000Z',
          responseBreached: true,
          resolutionBreached: false,
          resolutionElapsedRatio: 0.15,
          escalation: 'BREACHED',
        }),
      }),
    ]);
  });

  it("a contact sees their institution's tickets only, never internal comments", async () => {
    const mine = await gql(techA, LIST);
    expect(
      mine.data.tickets.edges.map((e: { node: { id: string; comments: unknown[] } }) => [
        e.node.id,
        e.node.comments,
      ]),
    ).toEqual([[ticketA, []]]);
    const other = await gql(techB, `query($id: ID!) { ticket(id: $id) { id } }`, { id: ticketA });
    expect(other.data.ticket).toBeNull();
    const emails = await gql(techA, `query($r: ID!) { notifications(requestId: $r) { recipient } }`, {
      r: requestA,
    });
    expect(emails.errors?.[0]?.extensions?.code ?? emails.errors?.[0]?.originalError?.code).toBe('FORBIDDEN');
  });

  it('take, conflict as a typed error, comment, release', async () => {
    const TAKE = `mutation($id: ID!) { takeTicket(input: { ticketId: $id }) {
      __typename ... on TakeTicketPayload { ticket { state ownerId } } ... on Error { code message } } }`;
    const taken = await gql(noc, TAKE, { id: ticketA });
    expect(taken.data.takeTicket).toEqual({
      __typename: 'TakeTicketPayload',
      ticket: { state: 'OPEN', ownerId: (noc as { id: string }).id },
    });
    const clash = await gql(noc2, TAKE, { id: ticketA });
    expect(clash.data.takeTicket).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });

    const COMMENT = `mutation($id: ID!, $v: CommentVisibility!) { addTicketComment(input: { ticketId: $id, body: "Bonjour", visibility: $v }) {
      __typename ... on AddTicketCommentPayload { comment { author visibility } } ... on Error { code } } }`;
    const fromContact = await gql(techA, COMMENT, { id: ticketA, v: 'INSTITUTION' });
    expect(fromContact.data.addTicketComment.comment.author).toMatch(/^contact:/);
    const sneaky = await gql(techA, COMMENT, { id: ticketA, v: 'INTERNAL' });
    expect(sneaky.errors?.[0]?.message).toMatch(/Contacts write comments/);
    const elsewhere = await gql(techB, COMMENT, { id: ticketA, v: 'INSTITUTION' });
    expect(elsewhere.data.addTicketComment).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });

    const RELEASE = `mutation($id: ID!) { releaseTicket(input: { ticketId: $id }) { ... on ReleaseTicketPayload { ticket { ownerId state } } } }`;
    expect((await gql(noc, RELEASE, { id: ticketA })).data.releaseTicket.ticket).toEqual({
      ownerId: null,
      state: 'OPEN',
    });
  });

  it('describes every type, field and argument it adds, and scopes every root field', () => {
    const mine = [
      'Ticket',
      'TicketComment',
      'SlaClock',
      'Notification',
      'TicketState',
      'SlaEscalation',
      'CommentVisibility',
      'NotificationTemplate',
      'NotificationStatus',
    ];
    const missing: string[] = [];
    for (const name of [...mine, 'AssignTicketInput', 'AddTicketCommentInput', 'RetryNotificationsPayload']) {
      const type = schema.getType(name);
      if (!type?.description) missing.push(name);
      if (type && 'getFields' in type) {
        for (const f of Object.values(type.getFields())) {
          if (!f.description) missing.push(`${name}.${f.name}`);
        }
      }
      if (type && 'getValues' in type) {
        for (const v of type.getValues()) if (!v.description) missing.push(`${name}.${v.name}`);
      }
    }
    const roots = [schema.getQueryType(), schema.getMutationType()].filter(isObjectType);
    const ours = [
      'tickets',
      'ticket',
      'notifications',
      'takeTicket',
      'assignTicket',
      'releaseTicket',
      'addTicketComment',
      'retryNotifications',
    ];
    for (const root of roots) {
      for (const f of Object.values(root.getFields()).filter((x) => ours.includes(x.name))) {
        if (!f.description) missing.push(`${root.name}.${f.name}`);
        for (const a of f.args) if (!a.description) missing.push(`${root.name}.${f.name}(${a.name})`);
        const scopes = (f.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions
          ?.authScopes;
        if (!scopes) missing.push(`${root.name}.${f.name} authScopes`);
      }
    }
    expect(missing).toEqual([]);
  });
});
