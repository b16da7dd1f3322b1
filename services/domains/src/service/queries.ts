import { isUuid } from '@guichet/core';
import { and, asc, type DbOrTx, desc, eq, inArray, or, sql } from '@guichet/db';
import { requests } from '@guichet/workflow';
import { type DomainRow, type DomainState, domains, pollMessages } from '../tables.js';

/** Reads of the domains line (resolvers call these; visibility is decided by the callers). */

export async function getDomain(db: DbOrTx, id: string): Promise<DomainRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(domains).where(eq(domains.id, id));
  return row;
}

/** An institution's names, deleted ones last and only when asked. */
export function institutionDomains(
  db: DbOrTx,
  institutionId: string,
  withDeleted = false,
): Promise<DomainRow[]> {
  return db
    .select()
    .from(domains)
    .where(
      and(
        eq(domains.institutionId, institutionId),
        withDeleted ? undefined : sql`${domains.state} <> 'deleted'`,
      ),
    )
    .orderBy(asc(domains.name), asc(domains.createdAt));
}

export function listDomains(
  db: DbOrTx,
  f: { state?: DomainState; institutionId?: string; limit?: number },
): Promise<DomainRow[]> {
  return db
    .select()
    .from(domains)
    .where(
      and(
        f.state ? eq(domains.state, f.state) : undefined,
        f.institutionId && isUuid(f.institutionId) ? eq(domains.institutionId, f.institutionId) : undefined,
      ),
    )
    .orderBy(asc(domains.name))
    .limit(Math.min(f.limit ?? 100, 1000));
}

/** The requests that made and changed a name (registration or transfer, then its changes). */
export function domainRequests(db: DbOrTx, row: DomainRow) {
  return db
    .select()
    .from(requests)
    .where(
      and(
        inArray(requests.kind, ['domains.registration', 'domains.transfer', 'domains.change']),
        or(eq(requests.id, row.requestId), sql`${requests.payload}->>'domainId' = ${row.id}`),
      ),
    )
    .orderBy(desc(requests.createdAt))
    .limit(100);
}

export function recentPollMessages(db: DbOrTx, limit = 50) {
  return db.select().from(pollMessages).orderBy(desc(pollMessages.id)).limit(Math.min(limit, 500));
}
