import { auditChanges } from '@guichet/audit';
import { type Actor, UnauthenticatedError } from '@guichet/core';
import { and, asc, type Database, desc, eq, gt, inArray, type SQL } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { readableInstitutions } from '@guichet/membership';
import { poller } from './poller.js';
import './subscription-root.js';

/**
 * `ticketEvents`: a ticket was taken, assigned, released, commented, paused… — what writes no
 * request event. Read from the change log (every ticket write records one, in its transaction),
 * so two NOC consoles see each other's actions. A contact is sent only their institution's.
 */

export interface TicketEventNotice {
  id: number;
  ticketId: string;
  institutionId: string | null;
  action: string;
  at: Date;
}

const TicketEventNoticeType = builder.objectRef<TicketEventNotice>('TicketEventNotice').implement({
  description: 'One change to a ticket the subscriber may read (from the change log).',
  fields: (t) => ({
    id: t.exposeString('ticketId', { description: 'The ticket it concerns (same id as `Ticket.id`).' }),
    changeId: t.exposeInt('id', { description: 'The change-log entry id, increasing.' }),
    institutionId: t.exposeID('institutionId', { nullable: true, description: "The ticket's institution." }),
    action: t.exposeString('action', { description: 'What was done: `workflow.ticket.take`…' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
  }),
});

const TICKET = 'Ticket';

async function lastChangeId(database: Database): Promise<number> {
  const [row] = await database.db
    .select({ id: auditChanges.id })
    .from(auditChanges)
    .orderBy(desc(auditChanges.id))
    .limit(1);
  return row?.id ?? 0;
}

async function changesAfter(database: Database, actor: Actor, after: number): Promise<TicketEventNotice[]> {
  const readable = readableInstitutions(actor);
  if (readable !== 'all' && readable.length === 0) return [];
  const where: SQL[] = [gt(auditChanges.id, after), eq(auditChanges.objectType, TICKET)];
  if (readable !== 'all') where.push(inArray(auditChanges.institutionId, readable));
  return database.db
    .select({
      id: auditChanges.id,
      ticketId: auditChanges.objectId,
      institutionId: auditChanges.institutionId,
      action: auditChanges.action,
      at: auditChanges.at,
    })
    .from(auditChanges)
    .where(and(...where))
    .orderBy(asc(auditChanges.id))
    .limit(100);
}

builder.subscriptionField('ticketEvents', (t) =>
  t.field({
    type: TicketEventNoticeType,
    description:
      "Changes to tickets you may read, from the moment you subscribe: staff see every queue's, a contact only their institution's.",
    authScopes: { authenticated: true },
    subscribe: async (_root, _args, context) => {
      const { database, ctx } = context;
      // authScopes guards `resolve`, not `subscribe`: without this an anonymous stream would
      // stay open (empty, since nothing is readable to it) instead of being refused.
      if (ctx.actor.kind === 'anonymous') throw new UnauthenticatedError();
      const signal = (context as { request?: Request }).request?.signal;
      const start = await lastChangeId(database);
      return poller(database, (after) => changesAfter(database, ctx.actor, after), start, signal);
    },
    resolve: (e) => e,
  }),
);
