import type { RequestContext } from '@guichet/core';
import { and, asc, type DbOrTx, eq, getTableColumns, gt, sql, type Tx } from '@guichet/db';
import { requests } from '../tables.js';
import { type ResourceState, resourceRequests, resources } from './tables.js';

export type ResourceRow = typeof resources.$inferSelect;

export interface ResourceRecord {
  line: string;
  type: string;
  objectId: string;
  institutionId: string;
  name: string;
  state: ResourceState;
  /** The line's own state word. */
  lineState: string;
  /** The request that made (first call) or changed (later calls) it. */
  requestId?: string | null;
}

/**
 * Records where a line's resource stands, in the caller's transaction (the line's own row and
 * this one move together). The first call for an object creates it; later calls update its
 * state and name and link the request that changed it.
 */
export async function recordResource(tx: Tx, ctx: RequestContext, r: ResourceRecord): Promise<ResourceRow> {
  const now = ctx.clock.now();
  const [row] = await tx
    .insert(resources)
    .values({
      line: r.line,
      type: r.type,
      objectId: r.objectId,
      institutionId: r.institutionId,
      name: r.name,
      state: r.state,
      lineState: r.lineState,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [resources.line, resources.type, resources.objectId],
      set: {
        name: r.name,
        state: r.state,
        lineState: r.lineState,
        institutionId: r.institutionId,
        updatedAt: now,
      },
    })
    .returning({ ...getTableColumns(resources), created: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error('recordResource: no row');
  if (r.requestId) {
    const created = row.created === true || String(row.created) === 'true';
    await tx
      .insert(resourceRequests)
      .values({ resourceId: row.id, requestId: r.requestId, role: created ? 'created' : 'changed', at: now })
      .onConflictDoNothing();
  }
  const { created: _created, ...resource } = row;
  return resource;
}

export interface ResourceFilter {
  line?: string | null;
  institutionIds?: 'all' | string[];
  state?: ResourceState | null;
  type?: string | null;
}

/** Keyset page of resources (by id), every line together. */
export async function listResources(db: DbOrTx, f: ResourceFilter, after: string | undefined, limit: number) {
  const where = [
    f.line ? eq(resources.line, f.line) : undefined,
    f.state ? eq(resources.state, f.state) : undefined,
    f.type ? eq(resources.type, f.type) : undefined,
    after ? gt(resources.id, after) : undefined,
    f.institutionIds && f.institutionIds !== 'all'
      ? f.institutionIds.length === 0
        ? sql`false`
        : sql`${resources.institutionId} IN (${sql.join(
            f.institutionIds.map((i) => sql`${i}::uuid`),
            sql`, `,
          )})`
      : undefined,
  ].filter((w) => w !== undefined);
  return db
    .select()
    .from(resources)
    .where(and(...where))
    .orderBy(asc(resources.id))
    .limit(limit);
}

export async function resourceOf(db: DbOrTx, line: string, type: string, objectId: string) {
  const [row] = await db
    .select()
    .from(resources)
    .where(and(eq(resources.line, line), eq(resources.type, type), eq(resources.objectId, objectId)));
  return row;
}

/** The requests that made and changed a resource, oldest first. */
export async function resourceRequestsOf(db: DbOrTx, resourceId: string) {
  return db
    .select({ request: requests, role: resourceRequests.role, at: resourceRequests.at })
    .from(resourceRequests)
    .innerJoin(requests, eq(requests.id, resourceRequests.requestId))
    .where(eq(resourceRequests.resourceId, resourceId))
    .orderBy(asc(resourceRequests.at), asc(requests.createdAt));
}
