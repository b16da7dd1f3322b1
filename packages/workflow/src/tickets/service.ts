import { recordChange } from '@guichet/audit';
import {
  type Actor,
  actorLabel,
  ConflictError,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type Db, eq, type Tx } from '@guichet/db';
import { hasContactRole } from '@guichet/membership';
import { comments, requestEvents, requests, tickets } from '../tables.js';
import { plan, type TicketAction, type TicketClockRow } from './rules.js';

/**
 * Staff and contact actions on tickets. Each runs in one transaction: lock, check the rules,
 * write, record the change. Lock order is request, then ticket — the engine's order (it holds
 * the request when its events reach tickets/), so the two never wait on each other in a cycle.
 */

export type TicketRow = typeof tickets.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export const COMMENT_VISIBILITIES = ['internal', 'institution'] as const;
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];

const asClock = (t: TicketRow) => t as TicketRow & TicketClockRow;

/** NOC and desk work tickets (admin implies both); read-only tokens never write. */
export function canWorkTickets(actor: Actor): boolean {
  return canWrite(actor) && hasStaffRole(actor, 'noc', 'desk');
}

/** Handing a ticket to someone else: the NOC's dispatchers and admins. */
export function canAssignTickets(actor: Actor): boolean {
  return canWrite(actor) && hasStaffRole(actor, 'noc');
}

async function lockTicket(tx: Tx, ticketId: string): Promise<TicketRow> {
  if (!isUuid(ticketId)) throw new NotFoundError('ticket', ticketId);
  const [t] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
  if (!t) throw new NotFoundError('ticket', ticketId);
  return t;
}

async function changeTicket(
  tx: Tx,
  ctx: RequestContext,
  t: TicketRow,
  actions: TicketAction[],
  ownerId: string | null | undefined,
  verb: string,
): Promise<TicketRow> {
  const patch: Record<string, unknown> = { ...plan(asClock(t), actions, ctx.clock.now()) };
  if (ownerId !== undefined && ownerId !== t.ownerId) patch.ownerId = ownerId;
  if (Object.keys(patch).length === 0) return t;
  const [after] = await tx.update(tickets).set(patch).where(eq(tickets.id, t.id)).returning();
  if (!after) throw new Error(`ticket ${t.id} vanished inside its own transaction`);
  await recordChange(tx, ctx, {
    action: `workflow.ticket.${verb}`,
    objectType: 'Ticket',
    objectId: t.id,
    institutionId: t.institutionId,
    before: Object.fromEntries(Object.keys(patch).map((k) => [k, t[k as keyof TicketRow]])),
    after: patch,
  });
  return after;
}

/** The caller takes the ticket: owner, `open`, and the first response if none yet. */
export async function takeTicket(db: Db, ctx: RequestContext, ticketId: string): Promise<TicketRow> {
  const { actor } = ctx;
  if (!canWorkTickets(actor)) throw new ForbiddenError('Only the NOC and the agreement desk take tickets');
  if (actor.kind !== 'staff') {
    throw new PolicyRefusalError(
      'ticket.ownerIsPerson',
      'A ticket is owned by a person; a script may assign it',
    );
  }
  return db.transaction(async (tx) => {
    const t = await lockTicket(tx, ticketId);
    // Taking over a colleague's ticket is a dispatching decision: assignTicket says so openly.
    if (t.ownerId && t.ownerId !== actor.id) {
      throw new ConflictError(`ticket ${t.id} is owned by someone else: ask the NOC to reassign it`);
    }
    return changeTicket(tx, ctx, t, ['take'], actor.id, 'take');
  });
}

/** Gives the ticket to a staff member (NOC or admin). */
export async function assignTicket(
  db: Db,
  ctx: RequestContext,
  ticketId: string,
  staffId: string,
): Promise<TicketRow> {
  if (!canAssignTickets(ctx.actor)) throw new ForbiddenError('Only the NOC and admins assign tickets');
  // auth_staff belongs to services/api: the id is checked for form only (see README, open points).
  if (!isUuid(staffId)) throw ValidationError.field(['staffId'], 'must be a staff id (UUID)');
  return db.transaction(async (tx) =>
    changeTicket(tx, ctx, await lockTicket(tx, ticketId), ['assign'], staffId, 'assign'),
  );
}

/** Gives the ticket back to the queue. Its owner, or the NOC, may; releasing a free ticket is a no-op. */
export async function releaseTicket(db: Db, ctx: RequestContext, ticketId: string): Promise<TicketRow> {
  const { actor } = ctx;
  if (!canWorkTickets(actor)) throw new ForbiddenError('Only the NOC and the agreement desk release tickets');
  return db.transaction(async (tx) => {
    const t = await lockTicket(tx, ticketId);
    if (t.ownerId === null) return t;
    const own = actor.kind === 'staff' && actor.id === t.ownerId;
    if (!own && !canAssignTickets(actor))
      throw new ForbiddenError('Only its owner or the NOC release a ticket');
    return changeTicket(tx, ctx, t, ['release'], null, 'release');
  });
}

export interface CommentInput {
  ticketId: string;
  body: string;
  visibility: CommentVisibility;
}

/**
 * Staff write either kind; a technical contact of the ticket's institution writes only
 * institution-visible comments. The request's history gets a `commented` event whose note is
 * the text only when the institution may read it: history is shown to contacts.
 */
export async function addComment(db: Db, ctx: RequestContext, input: CommentInput): Promise<CommentRow> {
  const { actor } = ctx;
  const body = input.body.trim();
  if (!body || body.length > 10_000) throw ValidationError.field(['body'], 'must be 1 to 10000 characters');
  const staff = canWorkTickets(actor);
  if (!staff && actor.kind !== 'contact')
    throw new ForbiddenError('Only staff and contacts comment on tickets');
  return db.transaction(async (tx) => {
    if (!isUuid(input.ticketId)) throw new NotFoundError('ticket', input.ticketId);
    const [found] = await tx
      .select({ requestId: tickets.requestId, institutionId: tickets.institutionId })
      .from(tickets)
      .where(eq(tickets.id, input.ticketId));
    // Another institution's ticket does not exist, as far as a contact can tell.
    if (!found || (!staff && actor.kind === 'contact' && actor.institutionId !== found.institutionId)) {
      throw new NotFoundError('ticket', input.ticketId);
    }
    if (!staff) {
      if (!canWrite(actor) || !hasContactRole(actor, found.institutionId, 'technical')) {
        throw new ForbiddenError("Only the institution's technical contacts comment on its tickets");
      }
      if (input.visibility !== 'institution') {
        throw new ForbiddenError('Contacts write comments the operator and their institution both read');
      }
    }
    await tx
      .select({ id: requests.id })
      .from(requests)
      .where(eq(requests.id, found.requestId))
      .for('no key update');
    const t = await lockTicket(tx, input.ticketId);
    const now = ctx.clock.now();
    const [c] = await tx
      .insert(comments)
      .values({
        ticketId: t.id,
        author: actorLabel(actor),
        body,
        visibility: input.visibility,
        createdAt: now,
      })
      .returning();
    if (!c) throw new Error('comment insert returned no row');
    const visible = input.visibility === 'institution';
    await tx.insert(requestEvents).values({
      requestId: t.requestId,
      at: now,
      actor: actorLabel(actor),
      httpRequestId: ctx.requestId,
      type: 'commented',
      note: visible ? body : null,
      data: { ticketId: t.id, commentId: c.id, visibility: input.visibility },
    });
    await recordChange(tx, ctx, {
      action: 'workflow.ticket.comment',
      objectType: 'TicketComment',
      objectId: c.id,
      institutionId: t.institutionId,
      // The change log can be shown to the institution: an internal text stays out of it.
      after: { ...c, body: visible ? body : null },
    });
    // Writing to the institution is the operator's response; an internal note is not.
    if (staff && visible) await changeTicket(tx, ctx, t, ['respond'], undefined, 'respond');
    return c;
  });
}
