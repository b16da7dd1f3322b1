import { and, asc, type DbOrTx, desc, eq, sql } from '@guichet/db';
import { requests } from '@guichet/workflow';
import { announcements, collectors, routedInstitutions, sessions } from '../tables.js';
import type { CollectorRow, SessionRow } from './collectors.js';

export type AnnouncementRow = typeof announcements.$inferSelect;
export type RoutingRow = typeof routedInstitutions.$inferSelect;

export const listCollectors = (db: DbOrTx): Promise<CollectorRow[]> =>
  db.select().from(collectors).orderBy(asc(collectors.name));

export async function getCollector(db: DbOrTx, id: string): Promise<CollectorRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return (await db.select().from(collectors).where(eq(collectors.id, id)))[0];
}

export const sessionsOf = (db: DbOrTx, collectorId: string): Promise<SessionRow[]> =>
  db.select().from(sessions).where(eq(sessions.collectorId, collectorId)).orderBy(asc(sessions.name));

export async function getSession(db: DbOrTx, id: string): Promise<SessionRow | undefined> {
  return (await db.select().from(sessions).where(eq(sessions.id, id)))[0];
}

/** Prefixes carried on a session, all institutions together (what its import limit counts). */
export async function sessionLoad(db: DbOrTx, sessionId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(announcements)
    .innerJoin(routedInstitutions, eq(routedInstitutions.institutionId, announcements.institutionId))
    .where(eq(routedInstitutions.sessionId, sessionId));
  return Number(r?.n ?? 0);
}

export async function routingOf(db: DbOrTx, institutionId: string): Promise<RoutingRow | undefined> {
  return (
    await db.select().from(routedInstitutions).where(eq(routedInstitutions.institutionId, institutionId))
  )[0];
}

export const announcementsOf = (db: DbOrTx, institutionId: string): Promise<AnnouncementRow[]> =>
  db
    .select()
    .from(announcements)
    .where(eq(announcements.institutionId, institutionId))
    .orderBy(asc(announcements.family), asc(announcements.prefix));

export const routingRequestsOf = (db: DbOrTx, institutionId: string, kind: string) =>
  db
    .select()
    .from(requests)
    .where(and(eq(requests.institutionId, institutionId), eq(requests.kind, kind)))
    .orderBy(desc(requests.createdAt))
    .limit(100);
