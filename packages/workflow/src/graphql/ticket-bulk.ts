import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { type Db, eq } from '@guichet/db';
import { builder, type GraphQLContext } from '@guichet/graphql';
import type { RequestRow } from '../events.js';
import { actOnStep } from '../requests/act.js';
import { comments, requests } from '../tables.js';
import { TicketCommentType, TicketType, VisibilityEnum } from '../tickets/graphql-types.js';
import { getTicket } from '../tickets/queries.js';
import { addComment, assignTicket, type CommentRow, releaseTicket, takeTicket } from '../tickets/service.js';
import { type BulkOutcome, bulkMutation, underItem } from './bulk-mutation.js';
import { RequestRef } from './requests.js';

/**
 * `actOnTickets`: the NOC's batch (take, assign, release, comment on, approve, return or
 * reject many tickets) — each item is the single mutation's service call in its own
 * transaction, authorised as that mutation is (a desk member may not assign; a contact may
 * comment on their institution's tickets only), so one refused item does not stop the others.
 */

const ACTIONS = ['take', 'assign', 'release', 'comment', 'approve', 'return', 'reject'] as const;
type Action = (typeof ACTIONS)[number];

const ActionEnum = builder.enumType('TicketAction', {
  description: 'What a ticket action does (each is the single mutation of the same name).',
  values: {
    TAKE: { value: 'take', description: 'takeTicket: you own it, its response clock stops.' },
    ASSIGN: { value: 'assign', description: 'assignTicket: give it to `staffId` (NOC).' },
    RELEASE: { value: 'release', description: 'releaseTicket: back to its queue.' },
    COMMENT: { value: 'comment', description: 'addTicketComment: `body`, `visibility` (default INTERNAL).' },
    APPROVE: {
      value: 'approve',
      description: 'approveRequestStep on the ticket’s request: `step` (default: the step it waits at).',
    },
    RETURN: { value: 'return', description: 'returnRequest on the ticket’s request: `reason` required.' },
    REJECT: { value: 'reject', description: 'rejectRequest on the ticket’s request: `reason` required.' },
  } as const,
});

interface ActionShape {
  ticketId: string | number;
  action: Action;
  staffId?: string | number | null;
  body?: string | null;
  visibility?: 'internal' | 'institution' | null;
  step?: string | null;
  reason?: string | null;
}

const ActionInput = builder.inputType('TicketActionInput', {
  description:
    'One action on one ticket; the fields beyond `ticketId` and `action` are those the action needs.',
  fields: (f) => ({
    ticketId: f.id({ description: 'The ticket.' }),
    action: f.field({ type: ActionEnum, description: 'What to do.' }),
    staffId: f.id({ required: false, description: 'ASSIGN: the staff member who will own it.' }),
    body: f.string({ required: false, description: 'COMMENT: the text.', maxLength: 10_000 }),
    visibility: f.field({
      type: VisibilityEnum,
      required: false,
      description: 'COMMENT: who reads it (default INTERNAL; contacts: INSTITUTION only).',
    }),
    step: f.string({
      required: false,
      description: 'APPROVE, RETURN, REJECT: the step acted on (default: the one the request waits at).',
    }),
    reason: f.string({ required: false, description: 'RETURN, REJECT: why (required).', maxLength: 4000 }),
  }),
});

interface ActionValue {
  action: Action;
  ticket: NonNullable<Awaited<ReturnType<typeof getTicket>>> | null;
  comment: CommentRow | null;
  request: RequestRow | null;
}
interface Stored {
  action: Action;
  ticketId: string;
  commentId?: string;
  requestId?: string;
}

const need = (v: unknown, at: string[], field: string, action: string) => {
  if (v === undefined || v === null || v === '')
    throw ValidationError.field([...at, field], `${action.toUpperCase()} needs ${field}`);
  return String(v);
};

async function act(db: Db, i: ActionShape, context: GraphQLContext, at: string[]) {
  const { ctx, env } = context;
  const ticketId = String(i.ticketId);
  const stored: Stored = { action: i.action, ticketId };
  let comment: CommentRow | null = null;
  let request: RequestRow | null = null;
  try {
    if (i.action === 'take') await takeTicket(db, ctx, ticketId);
    else if (i.action === 'assign')
      await assignTicket(db, ctx, ticketId, need(i.staffId, at, 'staffId', i.action));
    else if (i.action === 'release') await releaseTicket(db, ctx, ticketId);
    else if (i.action === 'comment') {
      comment = await addComment(db, ctx, {
        ticketId,
        body: need(i.body, at, 'body', i.action),
        visibility: i.visibility ?? 'internal',
      });
      stored.commentId = comment.id;
    } else {
      // A request action reached through its ticket: the ticket must be one the caller sees.
      const t = await getTicket(db, ctx.actor, ticketId);
      if (!t) throw new NotFoundError('ticket', ticketId);
      const reason = i.action === 'approve' ? undefined : need(i.reason, at, 'reason', i.action);
      let step = i.step ?? undefined;
      if (!step && i.action === 'approve') {
        const [r] = await db.select().from(requests).where(eq(requests.id, t.requestId));
        if (!r?.currentStep)
          throw new InvalidTransitionError('Request', r?.status ?? 'unknown', 'in_progress');
        step = r.currentStep;
      }
      request = await actOnStep(db, ctx, env, {
        requestId: t.requestId,
        ...(step ? { step } : {}),
        decision: i.action,
        ...(reason ? { reason } : {}),
      });
      stored.requestId = request.id;
    }
  } catch (e) {
    throw underItem(e, at);
  }
  return {
    value: { action: i.action, ticket: await getTicket(db, ctx.actor, ticketId), comment, request },
    stored,
  };
}

bulkMutation<ActionShape, ActionValue>('actOnTickets', {
  kind: 'workflow.ticketAction',
  description:
    'Acts on many tickets (take, assign, release, comment, approve, return, reject), each item authorised and run as its single mutation in its own transaction, with an optional idempotency key: one result per item, the ticket after the action or a typed error.',
  input: ActionInput,
  authScopes: { $all: { write: true, authenticated: true } },
  errors: [NotFoundError, ConflictError, InvalidTransitionError, PolicyRefusalError],
  fields: (t) => ({
    action: t.field({
      type: ActionEnum,
      description: 'What was done.',
      resolve: (r: BulkOutcome<ActionValue>) => r.value?.action ?? null,
      nullable: true,
    }),
    ticket: t.field({
      type: TicketType,
      nullable: true,
      description: 'The ticket after the action (null in a dry run).',
      resolve: (r: BulkOutcome<ActionValue>) => r.value?.ticket ?? null,
    }),
    comment: t.field({
      type: TicketCommentType,
      nullable: true,
      description: 'COMMENT: the new comment.',
      resolve: (r: BulkOutcome<ActionValue>) => r.value?.comment ?? null,
    }),
    request: t.field({
      type: RequestRef,
      nullable: true,
      description: 'APPROVE, RETURN, REJECT: the ticket’s request after the action.',
      resolve: (r: BulkOutcome<ActionValue>) => r.value?.request ?? null,
    }),
  }),
  run: act,
  replay: async (tx, raw, { ctx }) => {
    const s = raw as Stored;
    const [comment] = s.commentId ? await tx.select().from(comments).where(eq(comments.id, s.commentId)) : [];
    const [request] = s.requestId ? await tx.select().from(requests).where(eq(requests.id, s.requestId)) : [];
    return {
      action: s.action,
      ticket: await getTicket(tx, ctx.actor, s.ticketId),
      comment: comment ?? null,
      request: request ?? null,
    };
  },
});
