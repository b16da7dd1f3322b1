import type { DbOrTx } from '@guichet/db';
import { batchLoader, builder } from '@guichet/graphql';
import { StepActorEnum } from '../graphql/kinds.js';
import { findStep, getKind, stepActor } from '../kinds.js';
import { commentsOf, requestStepsOfTickets, type TicketView } from './queries.js';
import { type SlaClock, slaClock, type TicketClockRow, type TicketState } from './rules.js';
import type { CommentRow, TicketRow } from './service.js';

/**
 * The ticket types of the schema (fields and mutations are in graphql/tickets.ts). Comments
 * resolve through listComments, which hides internal ones from contacts.
 */

export const TicketStateEnum = builder.enumType('TicketState', {
  description: 'Where a ticket stands in the NOC queue.',
  values: {
    NEW: { value: 'new', description: 'Nobody at the operator has taken or answered it yet.' },
    OPEN: { value: 'open', description: 'Taken or answered: the operator is working on it.' },
    WAITING: {
      value: 'waiting',
      description: 'Waits on the institution (a signature, changes): the SLA clocks are paused.',
    },
    RESOLVED: { value: 'resolved', description: 'The request was completed.' },
    CLOSED: { value: 'closed', description: 'The request was rejected or cancelled.' },
  } as const,
});

export const EscalationEnum = builder.enumType('SlaEscalation', {
  description: 'How close a ticket is to missing its SLA.',
  values: {
    OK: { value: 'ok', description: 'Under 75 % of every running target.' },
    WARNING: { value: 'warning', description: 'At or past 75 % of a running target.' },
    BREACHED: { value: 'breached', description: 'Past 100 % of a target.' },
  } as const,
});

export const VisibilityEnum = builder.enumType('CommentVisibility', {
  description: 'Who reads a comment.',
  values: {
    INTERNAL: { value: 'internal', description: 'Operator staff only.' },
    INSTITUTION: { value: 'institution', description: "Operator staff and the institution's contacts." },
  } as const,
});

export const SlaClockType = builder.objectRef<SlaClock>('SlaClock').implement({
  description:
    'Both SLA clocks of a ticket. They start at submission, pause while the request waits on the institution, and their due times move forward by each pause.',
  fields: (t) => ({
    responseDueAt: t.expose('responseDueAt', {
      type: 'DateTime',
      description: 'When the first response is due (pauses included).',
    }),
    resolutionDueAt: t.expose('resolutionDueAt', {
      type: 'DateTime',
      description: 'When the resolution is due (pauses included).',
    }),
    responseBreached: t.exposeBoolean('responseBreached', {
      description: 'The first response came, or is still missing, after its due time.',
    }),
    resolutionBreached: t.exposeBoolean('resolutionBreached', {
      description: 'Resolution came, or is still missing, after its due time.',
    }),
    responseElapsedRatio: t.exposeFloat('responseElapsedRatio', {
      description: 'Time used on the response clock, net of pauses, over its target (1 = all of it).',
    }),
    resolutionElapsedRatio: t.exposeFloat('resolutionElapsedRatio', {
      description: 'Time used on the resolution clock, net of pauses, over its target (1 = all of it).',
    }),
    paused: t.exposeBoolean('paused', {
      description: 'The clocks are paused now (waiting on the institution).',
    }),
    pausedSeconds: t.exposeInt('pausedSeconds', {
      description: 'Total paused time so far, the running pause included.',
    }),
    escalation: t.field({
      type: EscalationEnum,
      description: 'The worst level among the running clocks.',
      resolve: (s) => s.escalation,
    }),
  }),
});

export const TicketCommentType = builder.objectRef<CommentRow>('TicketComment').implement({
  description: 'A note on a ticket, for the operator only or for the institution too.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    author: t.exposeString('author', {
      description: 'Who wrote it: `staff:<username>`, `contact:<id>`, `script:<name>`.',
    }),
    body: t.exposeString('body', { description: 'The text.' }),
    visibility: t.field({
      type: VisibilityEnum,
      description: 'Who reads it.',
      resolve: (c) => c.visibility as 'internal',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was written.' }),
  }),
});

/** The in-progress request behind a ticket (null once it is no longer in progress). */
const requestOf = (c: object & { database: { db: DbOrTx } }, requestId: string) =>
  batchLoader(c, 'workflow.ticketRequests', (ids: readonly string[]) =>
    requestStepsOfTickets(c.database.db, ids),
  ).load(requestId);

export const TicketType = builder
  .objectRef<TicketRow & Partial<Pick<TicketView, 'kind' | 'institutionName'>>>('Ticket')
  .implement({
    description: "The NOC's view of a request: its queue, owner, state, SLA clocks and comments.",
    fields: (t) => ({
      id: t.exposeID('id', { description: 'Identifier.' }),
      queue: t.exposeString('queue', {
        description: 'The NOC queue (one per service line: `membership`, `ipam`…).',
      }),
      state: t.field({
        type: TicketStateEnum,
        description: 'Where it stands.',
        resolve: (r) => r.state as TicketState,
      }),
      ownerId: t.exposeID('ownerId', {
        nullable: true,
        description: 'The staff member who owns it (auth staff id), if any.',
      }),
      requestId: t.exposeID('requestId', { description: 'The request it follows.' }),
      kind: t.string({
        nullable: true,
        description: 'The request kind, e.g. `membership.agreementChange`.',
        resolve: (r) => r.kind ?? null,
      }),
      institutionId: t.exposeID('institutionId', { description: 'The institution that filed the request.' }),
      // The queue acts on the request's pending step: read here (one statement per page of
      // tickets) so that a console does not look requests up one by one.
      currentStep: t.string({
        nullable: true,
        description: 'The step the request waits on, while it is in progress (as `Request.currentStep`).',
        resolve: async (r, _a, c) => (await requestOf(c, r.requestId))?.currentStep ?? null,
      }),
      pendingActor: t.field({
        type: StepActorEnum,
        nullable: true,
        description:
          'Who must act now on the request, when it waits on a person (as `Request.pendingActor`).',
        resolve: async (r, _a, c) => {
          const req = await requestOf(c, r.requestId);
          const kind = req && getKind(req.kind);
          return kind ? (stepActor(findStep(kind, req.currentStep)) ?? null) : null;
        },
      }),
      institutionName: t.string({
        nullable: true,
        description: "The institution's name.",
        resolve: (r) => r.institutionName ?? null,
      }),
      sla: t.field({
        type: SlaClockType,
        description: 'Both SLA clocks, computed now.',
        resolve: (r, _a, { ctx }) => slaClock(r as TicketRow & TicketClockRow, ctx.clock.now()),
      }),
      createdAt: t.expose('createdAt', {
        type: 'DateTime',
        description: 'When the request was submitted (the clocks start).',
      }),
      firstResponseAt: t.expose('firstResponseAt', {
        type: 'DateTime',
        nullable: true,
        description: "The operator's first response.",
      }),
      resolvedAt: t.expose('resolvedAt', {
        type: 'DateTime',
        nullable: true,
        description: 'When the request was completed.',
      }),
      closedAt: t.expose('closedAt', {
        type: 'DateTime',
        nullable: true,
        description: 'When the request was rejected or cancelled.',
      }),
      comments: t.field({
        type: [TicketCommentType],
        description: "Comments, oldest first; an institution's contacts see only those meant for them.",
        // Batched per request (one statement for a page of tickets), as the viewer may see them.
        resolve: (r, _a, c) =>
          batchLoader(c, 'workflow.comments', (ids: readonly string[]) =>
            commentsOf(c.database.db, c.ctx.actor, ids),
          ).load(r.id),
      }),
    }),
  });
