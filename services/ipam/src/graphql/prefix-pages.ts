import { type Actor, isUuid } from '@guichet/core';
import { and, asc, type DbOrTx, eq, inArray, rowFromJson, type SQL, sql } from '@guichet/db';
import { institutions, readableInstitutions, type SiteRow, sites } from '@guichet/membership';
import type { Lifecycle } from '../model.js';
import type { AssignmentRow, PoolRow } from '../service/internal.js';
import { assignments, pools } from '../tables.js';
import { decodeCursor } from './read.js';

/**
 * The reads behind a page of `Institution.prefixes` and the objects its rows name (pool, site):
 * each one statement for the whole page, whatever its size.
 */

export interface PrefixPages {
  /** For each institution asked, in order: its page (empty when it is not the actor's to see). */
  pages: AssignmentRow[][];
  /** With `withPools`: the pools the pages name, each once. */
  pools: PoolRow[];
}

/**
 * The first `limit` assignments of each institution in `institutionIds` after the same cursor
 * (a page of institutions each asking for `prefixes(first, after)`), in one statement: for one
 * institution its keyset page on `ipam_assignments_institution_prefix` (institution, prefix,
 * id); for several, that page per institution through LATERAL, so each costs `limit` index
 * entries however many it holds (numbering every row of every institution, as before, read them
 * all). Every institution gets exactly the page `listAssignments` would give it alone.
 * Visibility as there: another institution's is empty.
 *
 * `withPools` (the caller asks for each row's pool): the same statement also brings the pools,
 * each on the first row of a run of rows from that pool (`lag` in the list's order: a pool is a
 * block, so its assignments are mostly one run), NULL elsewhere — a pool row is read and decoded
 * once per pool, not joined onto every assignment, and no second round trip is made for it.
 */
export async function listAssignmentsOfInstitutions(
  db: DbOrTx,
  actor: Actor,
  institutionIds: readonly string[],
  lifecycle: Lifecycle | null | undefined,
  after: string | undefined,
  limit: number,
  opts: { withPools?: boolean } = {},
): Promise<PrefixPages> {
  const visible = readableInstitutions(actor);
  const ids = [...new Set(institutionIds)].filter(
    (id) => isUuid(id) && (visible === 'all' || visible.includes(id)),
  );
  if (ids.length === 0 || limit <= 0) return { pages: institutionIds.map(() => []), pools: [] };
  const where: (SQL | undefined)[] = [];
  if (lifecycle) where.push(eq(assignments.lifecycle, lifecycle));
  if (after !== undefined) {
    const [prefix, id] = decodeCursor(after);
    where.push(sql`(${assignments.prefix}, ${assignments.id}) > (${prefix}::cidr, ${id}::uuid)`);
  }
  const pageOf = (institution: SQL | string) =>
    db
      .select()
      .from(assignments)
      .where(and(eq(assignments.institutionId, institution), ...where))
      .orderBy(asc(assignments.prefix), asc(assignments.id))
      .limit(limit);
  const [only] = ids;
  // Several institutions: a page each through LATERAL.
  const lateral = () => {
    const one = pageOf(sql`${institutions.id}`).as('one');
    const query = db
      .select(one._.selectedFields)
      .from(institutions)
      .innerJoinLateral(one, sql`true`)
      .where(inArray(institutions.id, ids));
    return { one, query };
  };
  let rows: AssignmentRow[];
  const found: PoolRow[] = [];
  if (!opts.withPools) {
    if (ids.length === 1 && only) {
      // One institution (`institution(id) { prefixes }`, or a page of one): its keyset page as is.
      rows = await pageOf(only);
    } else {
      const { one, query } = lateral();
      // SQL keeps no order across a join but the one asked for: a sort of the page's rows.
      rows = await query.orderBy(asc(one.prefix), asc(one.id));
    }
  } else {
    const single = ids.length === 1 && only;
    const page = (single ? pageOf(only) : lateral().query).as('page');
    // One institution: the window's order is the page's own, so it sorts nothing.
    const partition = single ? sql`` : sql`PARTITION BY ${page.institutionId}`;
    const runs = db
      .select({
        ...page._.selectedFields,
        poolStarts: sql<boolean>`${page.poolId} IS DISTINCT FROM lag(${page.poolId})
          OVER (${partition} ORDER BY ${page.prefix}, ${page.id})`.as('pool_starts'),
      })
      .from(page)
      .as('runs');
    const { poolStarts, ...row } = runs._.selectedFields;
    // The pool as one JSON column, filled on the first row of its run only (the CASE runs the
    // primary-key probe there alone), in the rows' own order: no join, no sort for one
    // institution, and no pool columns to decode on the other rows.
    const poolJson = sql<unknown>`CASE WHEN ${poolStarts} THEN
      (SELECT to_jsonb(p) FROM ${pools} p WHERE p.id = ${runs.poolId}) END`.as('pool_json');
    const read = await db
      // Nested, so that each row comes out as the AssignmentRow itself: no copy without the column.
      .select({ row, poolJson })
      .from(runs)
      .orderBy(asc(runs.prefix), asc(runs.id));
    const seen = new Set<string>();
    rows = read.map(({ row: a, poolJson: json }) => {
      if (json != null) {
        const pool = rowFromJson(
          pools,
          (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>,
        );
        if (!seen.has(pool.id)) {
          seen.add(pool.id);
          found.push(pool);
        }
      }
      return a;
    });
  }
  const by = new Map<string, AssignmentRow[]>();
  for (const row of rows) {
    const list = by.get(row.institutionId) ?? [];
    list.push(row);
    by.set(row.institutionId, list);
  }
  return { pages: institutionIds.map((id) => by.get(id) ?? []), pools: found };
}

/** Pools by id, in the order of `ids` (undefined for an unknown id): one statement for a page. */
export async function poolsByIds(db: DbOrTx, ids: readonly string[]): Promise<(PoolRow | undefined)[]> {
  const wanted = [...new Set(ids)].filter(isUuid);
  const rows = wanted.length ? await db.select().from(pools).where(inArray(pools.id, wanted)) : [];
  const by = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => by.get(id));
}

/** Sites by id, in the order of `ids` (undefined for an unknown id): one statement for a page. */
export async function sitesByIds(db: DbOrTx, ids: readonly string[]): Promise<(SiteRow | undefined)[]> {
  const wanted = [...new Set(ids)].filter(isUuid);
  const rows = wanted.length ? await db.select().from(sites).where(inArray(sites.id, wanted)) : [];
  const by = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => by.get(id));
}
