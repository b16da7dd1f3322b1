import { type Actor, isUuid, ValidationError } from '@guichet/core';
import { and, asc, type DbOrTx, eq, ilike, inArray, or, type SQL, sql } from '@guichet/db';
import { cursorInstant, groupByKey } from '@guichet/graphql';
import { institutions, readableInstitutions } from '@guichet/membership';
import { comments, requests, tickets } from '../tables.js';
import type { TicketState } from './rules.js';
import type { CommentRow, TicketRow } from './service.js';

/**
 * Reads, with visibility decided here once: staff see every ticket; a contact sees only their
 * institution's tickets and never an internal comment; anyone else sees nothing.
 */

/** A ticket with what the queue shows beside it. */
export type TicketView = TicketRow & { kind: string; institutionName: string };

export interface TicketFilter {
  queue?: string;
  states?: TicketState[];
  institutionId?: string;
  ownerId?: string;
  /** true: only tickets with a running clock past its due time; false: only the others. */
  overdue?: boolean;
  /** Part of the request kind or of the institution's name or short name. */
  search?: string;
}

/**
 * A running clock past due. A clock runs in `new` and `open`; in `waiting` it stopped at
 * `paused_since`, so it is late only if it was already late then. The answered response
 * clock is history, not work to do. Written as two branches so that PostgreSQL can use the
 * partial indexes `workflow_tickets_{resolution,response}_due` for the running tickets.
 */
export function overdueCondition(now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql`(
    (${tickets.state} IN ('new', 'open') AND ${tickets.resolutionDueAt} < ${at})
    OR (${tickets.state} IN ('new', 'open') AND ${tickets.firstResponseAt} IS NULL AND ${tickets.responseDueAt} < ${at})
    OR (${tickets.state} = 'waiting' AND (${tickets.resolutionDueAt} < ${tickets.pausedSince}
        OR (${tickets.firstResponseAt} IS NULL AND ${tickets.responseDueAt} < ${tickets.pausedSince})))
  )`;
}

function visibility(actor: Actor): SQL | null | false {
  const readable = readableInstitutions(actor);
  if (readable === 'all') return null;
  if (readable.length === 0) return false;
  return inArray(tickets.institutionId, readable);
}

const view = {
  ticket: tickets,
  kind: requests.kind,
  institutionName: institutions.name,
};

function selectViews(db: DbOrTx) {
  return db
    .select(view)
    .from(tickets)
    .innerJoin(requests, eq(requests.id, tickets.requestId))
    .innerJoin(institutions, eq(institutions.id, tickets.institutionId));
}

const flatten = (r: { ticket: TicketRow; kind: string; institutionName: string }): TicketView => ({
  ...r.ticket,
  kind: r.kind,
  institutionName: r.institutionName,
});

/** A keyset cursor: creation time (ms, as tickets/ writes it) and id. */
export const ticketCursor = (t: TicketRow): string => `${t.createdAt.toISOString()}_${t.id}`;

function parseCursor(c: string): { at: string; id: string } {
  const [at, id] = c.split('_');
  if (!at || !id || !isUuid(id) || !cursorInstant(at)) {
    throw ValidationError.field(['after'], 'not a cursor of this list');
  }
  return { at, id };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Newest first, keyset-paged; `now` decides what is overdue. */
export async function listTickets(
  db: DbOrTx,
  actor: Actor,
  filter: TicketFilter,
  now: Date,
  after: string | undefined,
  limit: number,
): Promise<TicketView[]> {
  const seen = visibility(actor);
  if (seen === false) return [];
  const where: (SQL | undefined)[] = [seen ?? undefined];
  if (filter.queue) where.push(eq(tickets.queue, filter.queue));
  if (filter.states?.length) where.push(inArray(tickets.state, filter.states));
  if (filter.institutionId) {
    if (!isUuid(filter.institutionId)) return [];
    where.push(eq(tickets.institutionId, filter.institutionId));
  }
  if (filter.ownerId) {
    if (!isUuid(filter.ownerId)) return [];
    where.push(eq(tickets.ownerId, filter.ownerId));
  }
  if (filter.overdue === true) where.push(overdueCondition(now));
  if (filter.overdue === false) where.push(sql`NOT ${overdueCondition(now)}`);
  const q = filter.search?.trim();
  if (q) {
    const like = `%${escapeLike(q)}%`;
    where.push(
      or(ilike(requests.kind, like), ilike(institutions.name, like), ilike(institutions.shortName, like)),
    );
  }
  if (after) {
    const c = parseCursor(after);
    where.push(sql`(${tickets.createdAt}, ${tickets.id}) < (${c.at}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await selectViews(db)
    .where(and(...where))
    .orderBy(sql`${tickets.createdAt} DESC`, sql`${tickets.id} DESC`)
    .limit(limit);
  return rows.map(flatten);
}

/** One ticket, or null when it does not exist or the actor may not see it. */
export async function getTicket(db: DbOrTx, actor: Actor, ticketId: string): Promise<TicketView | null> {
  const seen = visibility(actor);
  if (seen === false || !isUuid(ticketId)) return null;
  const [row] = await selectViews(db)
    .where(and(eq(tickets.id, ticketId), seen ?? undefined))
    .limit(1);
  return row ? flatten(row) : null;
}

/**
 * The ticket of a request, without a visibility check: for callers (Request.ticket) that have
 * already decided the request is visible.
 */
export async function ticketForRequest(db: DbOrTx, requestId: string): Promise<TicketRow | null> {
  if (!isUuid(requestId)) return null;
  const [t] = await db.select().from(tickets).where(eq(tickets.requestId, requestId));
  return t ?? null;
}

/**
 * Kind and current step of in-progress requests, in the order of `requestIds` (null for one not
 * in progress). No visibility check: the caller already read the ticket that names the request.
 */
export async function requestStepsOfTickets(
  db: DbOrTx,
  requestIds: readonly string[],
): Promise<({ kind: string; currentStep: string | null } | null)[]> {
  const ids = requestIds.filter(isUuid);
  const rows = ids.length
    ? await db
        .select({ id: requests.id, kind: requests.kind, currentStep: requests.currentStep })
        .from(requests)
        .where(and(inArray(requests.id, ids), eq(requests.status, 'in_progress')))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return requestIds.map((id) => byId.get(id) ?? null);
}

/** Oldest first. Contacts get their institution's tickets' institution-visible comments only. */
export async function listComments(db: DbOrTx, actor: Actor, ticketId: string): Promise<CommentRow[]> {
  return (await commentsOf(db, actor, [ticketId]))[0] ?? [];
}

/**
 * The comments of several tickets the caller sees, oldest first each, in one statement: a
 * contact gets only the comments meant for the institution, on its own institution's tickets.
 */
export async function commentsOf(
  db: DbOrTx,
  actor: Actor,
  ticketIds: readonly string[],
): Promise<CommentRow[][]> {
  const seen = readableInstitutions(actor);
  const ids = ticketIds.filter(isUuid);
  if ((seen !== 'all' && seen.length === 0) || !ids.length) return ticketIds.map(() => []);
  const where = [inArray(comments.ticketId, ids)];
  if (seen !== 'all') {
    where.push(eq(comments.visibility, 'institution'));
    const own = db.select({ id: tickets.id }).from(tickets).where(inArray(tickets.institutionId, seen));
    where.push(inArray(comments.ticketId, own));
  }
  const rows = await db
    .select()
    .from(comments)
    .where(and(...where))
    .orderBy(asc(comments.createdAt), asc(comments.id));
  return groupByKey(ticketIds, rows, (r) => r.ticketId);
}

/**
 * The comments of several requests' tickets, as `commentsOf` lets the caller see them (a
 * contact: institution-visible ones only), in the order of `requestIds`: two statements.
 */
export async function commentsOfRequests(
  db: DbOrTx,
  actor: Actor,
  requestIds: readonly string[],
): Promise<CommentRow[][]> {
  const ids = requestIds.filter(isUuid);
  const ts = ids.length
    ? await db
        .select({ id: tickets.id, requestId: tickets.requestId })
        .from(tickets)
        .where(inArray(tickets.requestId, ids))
    : [];
  const byTicket = await commentsOf(
    db,
    actor,
    ts.map((t) => t.id),
  );
  const byRequest = new Map(ts.map((t, i) => [t.requestId, byTicket[i] ?? []]));
  return requestIds.map((id) => byRequest.get(id) ?? []);
}
