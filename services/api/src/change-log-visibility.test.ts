import { randomUUID } from 'node:crypto';
import { CONTACT_VISIBLE_CHANGES, contactChangeScope } from '@guichet/audit';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { ticketForRequest } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, makeCast } from './authz/fixtures.js';
import { pendingDeskRequest } from './authz/requests.js';
import { testApp } from './test-app.js';

/**
 * The change log and comments on the contact's pages (`Institution.changes`, `Request.changes`,
 * `Request.comments`): an institution's contacts read their own institution's record, never
 * another's, and never the NOC's internal comments — not their text, not their row.
 */
describe('change log and comments as a contact reads them', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  let requestId: string;
  const internal = `INTERNAL-${randomUUID()}`;
  const reply = `PUBLIC-${randomUUID()}`;

  const PAGE = `query($r: ID!, $i: ID!) {
    request(id: $r) {
      id
      changes(first: 20) { edges { node { objectType objectId action before after } } }
      comments { body visibility author }
      history { type note data }
    }
    institution(id: $i) {
      id
      changes(first: 100) { edges { node { objectType objectId action after } } }
    }
  }`;

  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database);
    requestId = (await pendingDeskRequest(cast)).id;
    const ticket = await ticketForRequest(database.db, requestId);
    for (const [body, visibility] of [
      [internal, 'INTERNAL'],
      [reply, 'INSTITUTION'],
    ] as const) {
      const res = await t.gql(
        `mutation($i: AddTicketCommentInput!) { addTicketComment(input: $i) { __typename } }`,
        { i: { ticketId: ticket!.id, body, visibility } },
        cast.tokens.noc,
      );
      expect(res.body.data.addTicketComment.__typename).toBe('AddTicketCommentPayload');
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  interface Change {
    objectType: string;
    objectId: string;
    action: string;
  }
  interface Page {
    request: {
      changes: { edges: { node: Change }[] };
      comments: { body: string; visibility: string }[];
      history: { type: string; note: string | null }[];
    } | null;
    institution: { changes: { edges: { node: Change }[] } } | null;
  }
  const read = (token: string | undefined) =>
    t.gql(PAGE, { r: requestId, i: cast.institutionA }, token).then((res) => {
      expect(res.body.errors).toBeUndefined();
      return res.body as { data: Page };
    });

  it("gives A's contacts their request's and institution's log, without the NOC's internal comments", async () => {
    for (const role of ['technical', 'head', 'technicalReadOnly'] as const) {
      const body = await read(cast.tokens[role]);
      const { request, institution } = body.data as Required<{ [K in keyof Page]: NonNullable<Page[K]> }>;
      const requestLog = request.changes.edges.map((e) => e.node);
      expect(requestLog.length).toBeGreaterThan(0);
      expect(requestLog.every((c) => c.objectType === 'Request' && c.objectId === requestId)).toBe(true);
      expect(requestLog.map((c) => c.action)).toContain('workflow.fileRequest');
      expect(request.comments).toEqual([expect.objectContaining({ body: reply, visibility: 'INSTITUTION' })]);
      // The history has the public comment's event only.
      expect(request.history.filter((e) => e.type === 'commented').map((e) => e.note)).toEqual([reply]);
      const types = new Set(institution.changes.edges.map((e) => e.node.objectType));
      expect(types.has('Request')).toBe(true);
      expect(types.has('Contact')).toBe(true);
      expect(
        [...types].filter((x) => !(CONTACT_VISIBLE_CHANGES as readonly string[]).includes(x as string)),
      ).toEqual([]);
      // Neither the text nor the existence of the internal comment reaches the contact.
      expect(JSON.stringify(body)).not.toContain(internal);
      expect(types.has('TicketComment')).toBe(false);
      expect(types.has('Ticket')).toBe(false);
    }
  });

  it('gives the NOC the whole record, internal comments included', async () => {
    const { request, institution } = (await read(cast.tokens.noc)).data as Required<{
      [K in keyof Page]: NonNullable<Page[K]>;
    }>;
    expect(request.comments.map((c) => c.body)).toEqual([internal, reply]);
    expect(request.history.filter((e) => e.type === 'commented')).toHaveLength(2);
    const types = new Set(institution.changes.edges.map((e) => e.node.objectType));
    expect(types.has('TicketComment')).toBe(true);
    expect(types.has('Ticket')).toBe(true);
  });

  it("gives another institution's contact nothing of A's", async () => {
    const { request, institution } = (await read(cast.tokens.technicalB)).data;
    expect(request).toBeNull();
    expect(institution).toBeNull();
    // The field's own rule, for a path that would ever hand B an object of A.
    expect(contactChangeScope(cast.actors.technicalB!, cast.institutionA)).toBeNull();
    expect(contactChangeScope(cast.actors.technical!, cast.institutionA)).toEqual({
      objectTypes: CONTACT_VISIBLE_CHANGES,
    });
    expect(contactChangeScope(cast.actors.noc!, cast.institutionA)).toEqual({});
    // B's own institution page reads B's log only.
    const own = await t.gql(
      `query($i: ID!) { institution(id: $i) { changes(first: 100) { edges { node { objectId objectType } } } } }`,
      { i: cast.institutionB },
      cast.tokens.technicalB,
    );
    const ids = (own.body.data.institution.changes.edges as { node: Change }[]).map((e) => e.node.objectId);
    expect(ids).not.toContain(requestId);
    expect(ids).not.toContain(cast.institutionA);
  });

  it("streams a contact the public comment's event only; the NOC both (requestEvents)", async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const ticket = await ticketForRequest(database.db, requestId);
    /** Opens the live stream as `token` and collects its `commented` events until `until` of them. */
    const stream = async (token: string) => {
      const abort = new AbortController();
      const res = await fetch(`${address}/graphql`, {
        method: 'POST',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          query: 'subscription($r: ID) { requestEvents(requestId: $r) { id type eventId } }',
          variables: { r: requestId },
        }),
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const types: string[] = [];
      let buffer = '';
      const pump = (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
            const data = buffer
              .slice(0, at)
              .split('\n')
              .find((l) => l.startsWith('data:'));
            buffer = buffer.slice(at + 2);
            if (data) types.push(JSON.parse(data.slice(5)).data.requestEvents.type);
          }
        }
      })();
      return { types, stop: () => (abort.abort(), pump) };
    };
    const contact = await stream(cast.tokens.technical!);
    const noc = await stream(cast.tokens.noc!);
    // The first poll fixes where each stream starts; comments written after it are new events.
    await new Promise((r) => setTimeout(r, 1500));
    const secret = `INTERNAL-${randomUUID()}`;
    for (const [body, visibility] of [
      [secret, 'INTERNAL'],
      [`PUBLIC-${randomUUID()}`, 'INSTITUTION'],
    ] as const) {
      const res = await t.gql(
        `mutation($i: AddTicketCommentInput!) { addTicketComment(input: $i) { __typename } }`,
        { i: { ticketId: ticket!.id, body, visibility } },
        cast.tokens.noc,
      );
      expect(res.body.data.addTicketComment.__typename).toBe('AddTicketCommentPayload');
    }
    const deadline = Date.now() + 20_000;
    while (noc.types.filter((x) => x === 'commented').length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // The contact's stream polls on the same clock: give it a beat past the NOC's.
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all([contact.stop(), noc.stop()]);
    expect(noc.types.filter((x) => x === 'commented')).toHaveLength(2);
    expect(contact.types.filter((x) => x === 'commented')).toHaveLength(1);
  }, 60_000);
});
