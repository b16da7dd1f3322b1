import { type Actor, isStaff, UnauthenticatedError } from '@guichet/core';
import { and, asc, type Database, desc, eq, gt, inArray, type SQL, sql } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { readableInstitutions } from '@guichet/membership';
import { assertRequestId, assertVisible } from '../requests/access.js';
import { internalToOperator } from '../requests/queries.js';
import { requestEvents, requests } from '../tables.js';
import { poller } from './poller.js';
import './subscription-root.js';

/**
 * `requestEvents`: the request history as it grows, for the portal's live pages. The database
 * is the bus: each subscription reads `workflow_request_events` past the last id it sent, every
 * POLL_MS. So an event written by the worker, or by another api process on the same PostgreSQL,
 * reaches every subscriber without a broker; the cost is one indexed query per subscriber per
 * second. Visibility is decided on every batch exactly as for the `request` query (membership's
 * readableInstitutions), so a contact is never sent another institution's events.
 */

export interface RequestEventNotice {
  id: number;
  requestId: string;
  institutionId: string;
  kind: string;
  type: string;
  step: string | null;
  status: string;
  at: Date;
}

const RequestEventNoticeType = builder.objectRef<RequestEventNotice>('RequestEventNotice').implement({
  description: 'One new event in the history of a request the subscriber may read.',
  fields: (t) => ({
    id: t.exposeString('requestId', {
      description: 'The request it concerns (same id as `Request.id`).',
    }),
    eventId: t.exposeInt('id', { description: 'The event id, increasing: the order of the history.' }),
    institutionId: t.exposeID('institutionId', { description: "The request's institution." }),
    kind: t.exposeString('kind', { description: 'The request kind (`ipam.prefix`…).' }),
    type: t.exposeString('type', {
      description: 'What happened: `submitted`, `step_completed`, `completed`… (as in `RequestEvent.type`).',
    }),
    step: t.exposeString('step', { nullable: true, description: 'The step concerned, if any.' }),
    status: t.exposeString('status', { description: 'The request status now (RequestStatus, lower case).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
  }),
});

async function lastEventId(database: Database): Promise<number> {
  const [row] = await database.db
    .select({ id: requestEvents.id })
    .from(requestEvents)
    .orderBy(desc(requestEvents.id))
    .limit(1);
  return row?.id ?? 0;
}

async function eventsAfter(database: Database, actor: Actor, after: number, requestId?: string) {
  const readable = readableInstitutions(actor);
  if (readable !== 'all' && readable.length === 0) return [];
  const where: SQL[] = [gt(requestEvents.id, after)];
  if (readable !== 'all') where.push(inArray(requests.institutionId, readable));
  // An internal NOC comment is not the institution's news (the history hides it the same way).
  if (!isStaff(actor)) where.push(sql`NOT ${internalToOperator}`);
  if (requestId) where.push(eq(requestEvents.requestId, requestId));
  return database.db
    .select({
      id: requestEvents.id,
      requestId: requestEvents.requestId,
      institutionId: requests.institutionId,
      kind: requests.kind,
      type: requestEvents.type,
      step: requestEvents.step,
      status: requests.status,
      at: requestEvents.at,
    })
    .from(requestEvents)
    .innerJoin(requests, eq(requests.id, requestEvents.requestId))
    .where(and(...where))
    .orderBy(asc(requestEvents.id))
    .limit(100);
}

builder.subscriptionField('requestEvents', (t) =>
  t.field({
    type: RequestEventNoticeType,
    description:
      "New events of requests you may read, from the moment you subscribe: staff see every institution's, a contact only their own. With `requestId`, only that request's (not found if it is not yours).",
    authScopes: { authenticated: true },
    args: {
      requestId: t.arg.id({ required: false, description: 'Only the events of this request.' }),
    },
    subscribe: async (_root, { requestId }, context) => {
      const { database, ctx } = context;
      // authScopes guards `resolve`, not `subscribe`: without this an anonymous stream would
      // stay open (empty, since nothing is readable to it) instead of being refused.
      if (ctx.actor.kind === 'anonymous') throw new UnauthenticatedError();
      const id = requestId == null ? undefined : String(requestId);
      if (id) {
        assertRequestId(id);
        const [row] = await database.db
          .select({ institutionId: requests.institutionId })
          .from(requests)
          .where(eq(requests.id, id));
        assertVisible(ctx.actor, id, row);
      }
      // Yoga's own context carries the HTTP request, whose signal aborts when the client goes.
      const signal = (context as { request?: Request }).request?.signal;
      const start = await lastEventId(database);
      return poller(database, (after) => eventsAfter(database, ctx.actor, after, id), start, signal);
    },
    resolve: (e) => e,
  }),
);
