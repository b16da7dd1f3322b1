import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { builder, keysetConnection } from '@guichet/graphql';
import '../notify/graphql.js';
import { TicketCommentType, TicketStateEnum, TicketType, VisibilityEnum } from '../tickets/graphql-types.js';
import { getTicket, listTickets, ticketCursor } from '../tickets/queries.js';
import { addComment, assignTicket, releaseTicket, takeTicket } from '../tickets/service.js';

/**
 * Ticket queries and mutations (types: tickets/graphql-types.ts; notifications:
 * notify/graphql.ts). Resolvers only call tickets/ and notify/, where visibility is decided (a
 * contact sees their institution's tickets, never an internal comment). Mutations return typed
 * errors for what a caller can fix; authorisation failures are thrown.
 */

export { NotificationType } from '../notify/graphql.js';
export { SlaClockType, TicketCommentType, TicketStateEnum, TicketType } from '../tickets/graphql-types.js';

builder.queryField('tickets', (t) =>
  t.connection({
    type: TicketType,
    description:
      "Tickets, newest first. Staff see every queue; a contact sees only their institution's tickets.",
    authScopes: { authenticated: true },
    args: {
      queue: t.arg.string({ required: false, description: 'Only this queue.' }),
      state: t.arg({
        type: [TicketStateEnum],
        required: false,
        description: 'Only tickets in one of these states.',
      }),
      institutionId: t.arg.id({ required: false, description: "Only this institution's tickets." }),
      ownerId: t.arg.id({ required: false, description: 'Only tickets this staff member owns.' }),
      overdue: t.arg.boolean({
        required: false,
        description: 'true: only tickets with a running clock past due; false: only the others.',
      }),
      search: t.arg.string({
        required: false,
        description: "Part of the request kind or of the institution's name.",
      }),
    },
    resolve: (_r, args, { database, ctx }) =>
      keysetConnection(args, ticketCursor, (after, limit) =>
        listTickets(
          database.db,
          ctx.actor,
          {
            ...(args.queue ? { queue: args.queue } : {}),
            ...(args.state ? { states: args.state } : {}),
            ...(args.institutionId ? { institutionId: String(args.institutionId) } : {}),
            ...(args.ownerId ? { ownerId: String(args.ownerId) } : {}),
            ...(args.overdue != null ? { overdue: args.overdue } : {}),
            ...(args.search ? { search: args.search } : {}),
          },
          ctx.clock.now(),
          after,
          limit,
        ),
      ),
  }),
);

builder.queryField('ticket', (t) =>
  t.field({
    type: TicketType,
    nullable: true,
    description: 'One ticket; null when it does not exist or is not visible to you.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'The ticket id.' }) },
    resolve: (_r, { id }, { database, ctx }) => getTicket(database.db, ctx.actor, String(id)),
  }),
);

/** `<Mutation>Payload { ticket }`: the ticket after the change. */
const ticketPayload = (name: string) =>
  builder.simpleObject(name, {
    description: 'The ticket after the change.',
    fields: (t) => ({ ticket: t.field({ type: TicketType, description: 'The ticket.' }) }),
  });

const TicketIdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (f) => ({ ticketId: f.id({ description: 'The ticket.' }) }),
  });

builder.mutationField('takeTicket', (t) =>
  t.field({
    type: ticketPayload('TakeTicketPayload'),
    description:
      'You take the ticket: you own it, it is open, and its response clock stops (NOC, desk; a person, not a script). Refused with a conflict when a colleague owns it.',
    authScopes: { $all: { write: true, staff: true } },
    errors: { types: [NotFoundError, ConflictError, InvalidTransitionError, PolicyRefusalError] },
    args: {
      input: t.arg({
        type: TicketIdInput('TakeTicketInput', 'The ticket to take.'),
        required: true,
        description: 'Which ticket.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      ticket: await takeTicket(database.db, ctx, String(input.ticketId)),
    }),
  }),
);

builder.mutationField('assignTicket', (t) =>
  t.field({
    type: ticketPayload('AssignTicketPayload'),
    description: 'Gives the ticket to a staff member (NOC, admin). Does not count as a response.',
    authScopes: { $all: { write: true, staffRole: 'noc' } },
    errors: { types: [NotFoundError, ValidationError, InvalidTransitionError] },
    args: {
      input: t.arg({
        required: true,
        description: 'Which ticket, to whom.',
        type: builder.inputType('AssignTicketInput', {
          description: 'A ticket and its new owner.',
          fields: (f) => ({
            ticketId: f.id({ description: 'The ticket.' }),
            staffId: f.id({ description: 'The staff member (auth staff id) who will own it.' }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      ticket: await assignTicket(database.db, ctx, String(input.ticketId), String(input.staffId)),
    }),
  }),
);

builder.mutationField('releaseTicket', (t) =>
  t.field({
    type: ticketPayload('ReleaseTicketPayload'),
    description:
      'Gives the ticket back to its queue (its owner, or the NOC). Releasing a free ticket changes nothing.',
    authScopes: { $all: { write: true, staff: true } },
    errors: { types: [NotFoundError, InvalidTransitionError] },
    args: {
      input: t.arg({
        type: TicketIdInput('ReleaseTicketInput', 'The ticket to release.'),
        required: true,
        description: 'Which ticket.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      ticket: await releaseTicket(database.db, ctx, String(input.ticketId)),
    }),
  }),
);

const AddTicketCommentPayload = builder.simpleObject('AddTicketCommentPayload', {
  description: 'The new comment.',
  fields: (t) => ({ comment: t.field({ type: TicketCommentType, description: 'The comment.' }) }),
});

builder.mutationField('addTicketComment', (t) =>
  t.field({
    type: AddTicketCommentPayload,
    description:
      "Comments on a ticket. Staff write internal or institution-visible comments (the latter is the operator's response); an institution's technical contacts write institution-visible ones on their institution's tickets.",
    authScopes: { $all: { write: true, authenticated: true } },
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      input: t.arg({
        required: true,
        description: 'The comment.',
        type: builder.inputType('AddTicketCommentInput', {
          description: 'A comment on a ticket.',
          fields: (f) => ({
            ticketId: f.id({ description: 'The ticket.' }),
            body: f.string({ description: 'The text.', maxLength: 10_000 }),
            visibility: f.field({
              type: VisibilityEnum,
              description: 'Who reads it (contacts: INSTITUTION only).',
            }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      comment: await addComment(database.db, ctx, {
        ticketId: String(input.ticketId),
        body: input.body,
        visibility: input.visibility,
      }),
    }),
  }),
);
