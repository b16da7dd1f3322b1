import {
  type Actor,
  actorLabel,
  ForbiddenError,
  hasStaffRole,
  isStaff,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, type DbOrTx, desc, eq, inArray, lt, type SQL } from '@guichet/db';
import { auditChanges, auditJournal } from './tables.js';

export type ChangeRow = typeof auditChanges.$inferSelect;
export type JournalRow = typeof auditJournal.$inferSelect;

export interface ChangeInput {
  action: string;
  objectType: string;
  objectId: string;
  institutionId?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Records one write. Call it with the transaction that made the write: the row commits or
 * rolls back with it. Values pass through JSON so Dates and the like are stored as text.
 */
export async function recordChange(db: DbOrTx, ctx: RequestContext, change: ChangeInput): Promise<void> {
  await db.insert(auditChanges).values({
    at: ctx.clock.now(),
    actor: actorLabel(ctx.actor),
    requestId: ctx.requestId,
    action: change.action,
    objectType: change.objectType,
    objectId: change.objectId,
    institutionId: change.institutionId ?? null,
    before: toJson(change.before),
    after: toJson(change.after),
  });
}

function toJson(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

export interface ChangeFilter {
  objectType?: string;
  objectId?: string;
  institutionId?: string;
  requestId?: string;
  /** Only these kinds of object (an allow-list: see contactChangeScope). */
  objectTypes?: readonly string[];
  /** Keyset pagination: rows with a smaller id (older). */
  before?: number;
  limit: number;
}

/** Newest first. Callers decide visibility (staff: all; a contact: their institution's). */
export async function listChanges(db: DbOrTx, f: ChangeFilter): Promise<ChangeRow[]> {
  const where: SQL[] = [];
  if (f.objectType) where.push(eq(auditChanges.objectType, f.objectType));
  if (f.objectId) where.push(eq(auditChanges.objectId, f.objectId));
  if (f.institutionId) where.push(eq(auditChanges.institutionId, f.institutionId));
  if (f.requestId) where.push(eq(auditChanges.requestId, f.requestId));
  if (f.objectTypes) where.push(inArray(auditChanges.objectType, [...f.objectTypes]));
  if (f.before !== undefined) where.push(lt(auditChanges.id, f.before));
  return db
    .select()
    .from(auditChanges)
    .where(and(...where))
    .orderBy(desc(auditChanges.id))
    .limit(f.limit);
}

/**
 * The kinds of object whose changes an institution's own contacts may read: what their pages
 * already show them (the institution, its sites, contacts, agreement versions, requests and
 * prefixes). An allow-list, so a new kind stays operator-only until someone decides: `Ticket`
 * and `TicketComment` rows (the NOC's ownership and internal comments), `ApiToken`, servers
 * with their secrets, notifications with addresses are not in it.
 */
export const CONTACT_VISIBLE_CHANGES = [
  'Institution',
  'Site',
  'Contact',
  'AgreementVersion',
  'Request',
  'Assignment',
] as const;

/**
 * What an actor may read of one institution's change log: staff all of it (no restriction),
 * the institution's own contacts the allow-listed kinds, anyone else nothing (null) — another
 * institution's contact included.
 */
export function contactChangeScope(
  actor: Actor,
  institutionId: string,
): { objectTypes?: readonly string[] } | null {
  if (isStaff(actor)) return {};
  if (actor.kind === 'contact' && actor.institutionId === institutionId)
    return { objectTypes: CONTACT_VISIBLE_CHANGES };
  return null;
}

export const JOURNAL_KINDS = ['info', 'success', 'warning', 'danger'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export interface JournalInput {
  objectType: string;
  objectId: string;
  institutionId?: string | null;
  kind: JournalKind;
  body: string;
}

/** Staff only: a journal entry is the operator's own note. */
export async function addJournalEntry(
  db: DbOrTx,
  ctx: RequestContext,
  input: JournalInput,
): Promise<JournalRow> {
  if (!hasStaffRole(ctx.actor, 'noc', 'desk'))
    throw new ForbiddenError('Only operator staff write journal entries');
  const body = input.body.trim();
  if (!body || body.length > 10_000)
    throw ValidationError.field(['input', 'body'], 'must be 1 to 10000 characters');
  if (!input.objectType.trim() || !input.objectId.trim()) {
    throw ValidationError.field(['input', 'objectId'], 'name the object the entry is about');
  }
  const [row] = await db
    .insert(auditJournal)
    .values({
      at: ctx.clock.now(),
      actor: actorLabel(ctx.actor),
      requestId: ctx.requestId,
      objectType: input.objectType,
      objectId: input.objectId,
      institutionId: input.institutionId ?? null,
      kind: input.kind,
      body,
    })
    .returning();
  return row!;
}

export async function listJournal(
  db: DbOrTx,
  objectType: string,
  objectId: string,
  limit = 100,
): Promise<JournalRow[]> {
  return db
    .select()
    .from(auditJournal)
    .where(and(eq(auditJournal.objectType, objectType), eq(auditJournal.objectId, objectId)))
    .orderBy(desc(auditJournal.id))
    .limit(limit);
}
