import { type Actor, isUuid, ValidationError } from '@guichet/core';
import { and, asc, type DbOrTx, eq, ilike, inArray, isNull, or, type SQL, sql } from '@guichet/db';
import { groupByKey, textProblem } from '@guichet/graphql';
import { findById, type InstitutionRow, type SiteRow } from '../internal.js';
import type { InstitutionKind, InstitutionStatus } from '../model.js';
import { canReadInstitution, readableInstitutions } from '../rules.js';
import { institutions, sites } from '../tables.js';

export interface InstitutionFilter {
  kind?: InstitutionKind | null;
  status?: InstitutionStatus | null;
  /** Exact regional collector name (case-insensitive). */
  collector?: string | null;
  /** Part of the name or short name (case-insensitive). */
  search?: string | null;
}

/** Cursor of the listing's keyset order (name, id). */
export function institutionCursor(row: Pick<InstitutionRow, 'name' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1])) {
      // A forged cursor may carry what no name holds (NUL, a lone surrogate): PostgreSQL refuses those.
      if (!textProblem(v[0], Number.POSITIVE_INFINITY)) return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw ValidationError.field(['after'], 'not a cursor of this list');
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The institutions the actor may see (staff: all; a contact: their own), by name then id, after
 * the cursor, at most `limit`.
 */
export async function listInstitutions(
  db: DbOrTx,
  actor: Actor,
  filter: InstitutionFilter,
  after: string | undefined,
  limit: number,
): Promise<InstitutionRow[]> {
  const visible = readableInstitutions(actor);
  if (visible !== 'all' && visible.length === 0) return [];
  const where: (SQL | undefined)[] = [];
  if (visible !== 'all') where.push(inArray(institutions.id, visible));
  if (filter.kind) where.push(eq(institutions.kind, filter.kind));
  if (filter.status) where.push(eq(institutions.status, filter.status));
  if (filter.collector) where.push(sql`lower(${institutions.collector}) = lower(${filter.collector.trim()})`);
  const search = filter.search?.trim();
  if (search) {
    const p = likePattern(search);
    where.push(or(ilike(institutions.name, p), ilike(institutions.shortName, p)));
  }
  if (after !== undefined) {
    const [name, id] = decodeCursor(after);
    where.push(sql`(${institutions.name}, ${institutions.id}) > (${name}, ${id}::uuid)`);
  }
  return db
    .select()
    .from(institutions)
    .where(and(...where))
    .orderBy(asc(institutions.name), asc(institutions.id))
    .limit(limit);
}

/** One institution if the actor may see it; otherwise undefined, exactly as if it did not exist. */
export async function getInstitution(
  db: DbOrTx,
  actor: Actor,
  id: string,
): Promise<InstitutionRow | undefined> {
  if (!isUuid(id) || !canReadInstitution(actor, id)) return undefined;
  const [row] = await db.select().from(institutions).where(eq(institutions.id, id));
  return row;
}

/** Several institutions by id in one statement (no visibility check: the caller made it). */
export async function institutionsOf(
  db: DbOrTx,
  ids: readonly string[],
): Promise<(InstitutionRow | undefined)[]> {
  const valid = ids.filter(isUuid);
  const rows = valid.length
    ? await db.select().from(institutions).where(inArray(institutions.id, valid))
    : [];
  return groupByKey(ids, rows, (r) => r.id).map((g) => g[0]);
}

/** The institution of an object the caller already sees (no visibility check of its own). */
export async function institutionById(db: DbOrTx, id: string): Promise<InstitutionRow> {
  return findById((i) => db.select().from(institutions).where(eq(institutions.id, i)), 'Institution', id);
}

/** Present sites of an institution: the main one first, then by name. */
export async function listSites(db: DbOrTx, institutionId: string): Promise<SiteRow[]> {
  return (await sitesOf(db, [institutionId]))[0] ?? [];
}

/** The present sites of several institutions in one statement, in `listSites`' order each. */
export async function sitesOf(db: DbOrTx, institutionIds: readonly string[]): Promise<SiteRow[][]> {
  const ids = institutionIds.filter(isUuid);
  const rows = ids.length
    ? await db
        .select()
        .from(sites)
        .where(and(inArray(sites.institutionId, ids), isNull(sites.removedAt)))
        .orderBy(sql`${sites.main} DESC`, asc(sites.name), asc(sites.id))
    : [];
  return groupByKey(institutionIds, rows, (r) => r.institutionId);
}

export async function getSite(db: DbOrTx, id: string): Promise<SiteRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(sites).where(eq(sites.id, id));
  return row;
}
