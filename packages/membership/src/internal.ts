import {
  ConflictError,
  ForbiddenError,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type DbOrTx, eq, type Tx, translatePgError } from '@guichet/db';
import { canManageMembership } from './rules.js';
import { type agreementVersions, type contacts, institutions, type sites } from './tables.js';

/** Shared by the use-cases of this package; not exported from the index. */

export type InstitutionRow = typeof institutions.$inferSelect;
export type SiteRow = typeof sites.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type AgreementVersionRow = typeof agreementVersions.$inferSelect;

/**
 * Runs `fn` in a transaction: a new one on a plain handle, a savepoint inside a caller's
 * transaction (the workflow's, the demo seed's), so a refusal here never poisons theirs.
 */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (db as Tx).transaction(fn);
}

export interface ErrorMap {
  /** Unique index name → the conflict, said for a person. */
  unique?: Record<string, string>;
  /** CHECK or foreign-key constraint name → the input field it concerns. */
  fields?: Record<string, { path: (string | number)[]; message: string }>;
}

/**
 * PostgreSQL said no: the constraint becomes the typed error a caller can act on (db's one
 * translator; unique → ConflictError with the map's sentence, CHECK/FK → the field named).
 */
export function translate(e: unknown, map: ErrorMap): unknown {
  return translatePgError(e, {
    ...(map.unique ? { conflicts: map.unique } : {}),
    ...(map.fields ? { fields: map.fields } : {}),
  });
}

/** `await guard(promise, map)`: the same promise, with constraint violations translated. */
export async function guard<T>(work: Promise<T>, map: ErrorMap): Promise<T> {
  try {
    return await work;
  } catch (e) {
    throw translate(e, map);
  }
}

export const PENDING_CHANGE = 'a change to this agreement is already pending';

export const AGREEMENT_CONFLICTS: Record<string, string> = {
  membership_agreement_one_pending: PENDING_CHANGE,
  membership_agreement_version_key: PENDING_CHANGE,
  membership_agreement_one_active: 'another version of this agreement was activated at the same time',
};

/**
 * Locks the institution row for the rest of the transaction. Every change that reads the
 * agreement to decide (removing a site or the security contact, drafting, signing, activating)
 * takes it first, so two of them never decide on the same stale state. `NO KEY UPDATE` leaves
 * inserts of rows that merely reference the institution (contacts, requests) unblocked.
 */
export async function lockInstitution(tx: Tx, id: string): Promise<InstitutionRow> {
  if (!isUuid(id)) throw new NotFoundError('Institution', id);
  const [row] = await tx.select().from(institutions).where(eq(institutions.id, id)).for('no key update');
  if (!row) throw new NotFoundError('Institution', id);
  return row;
}

export function requireOpen(inst: InstitutionRow): void {
  if (inst.status !== 'active') {
    throw new PolicyRefusalError(
      'institution-closed',
      `${inst.name} is closed: its membership cannot change`,
    );
  }
}

export async function findById<T>(
  load: (id: string) => Promise<T[]>,
  entity: string,
  id: string,
): Promise<T> {
  const [row] = isUuid(id) ? await load(id) : [];
  if (!row) throw new NotFoundError(entity, id);
  return row;
}

/** Creating, changing and closing institutions, sites and contacts: the agreement desk. */
export function mustManage(ctx: RequestContext, what: string): void {
  if (!canManageMembership(ctx.actor)) throw new ForbiddenError(`Only the agreement desk ${what}`);
}

export { one } from '@guichet/db';
