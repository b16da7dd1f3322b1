import { type Actor, isUuid } from '@guichet/core';
import { and, asc, type DbOrTx, desc, eq, inArray, isNull, or, sql } from '@guichet/db';
import { canReadInstitution, isStaff } from '@guichet/membership';
import {
  attachments,
  circuits,
  cvlans,
  devices,
  endpoints,
  handoffs,
  pops,
  ports,
  rdAdministrators,
  regionalNetworks,
  segments,
  vlans,
} from '../tables.js';

/**
 * Reads. A circuit is seen whole by operator staff and its owner institution; the other
 * institution of a shared circuit sees it through its own end only (`only` = its id): its own
 * endpoints, their VLANs and segments — never the other ends, the request, or the routing.
 */

export type CircuitRow = typeof circuits.$inferSelect;
export interface CircuitView {
  row: CircuitRow;
  /** Set when the viewer is another institution of the circuit: only its own ends. */
  only?: string;
}

export function viewFor(
  actor: Actor,
  row: CircuitRow,
  memberInstitutionIds: readonly string[],
): CircuitView | undefined {
  if (isStaff(actor) || canReadInstitution(actor, row.institutionId)) return { row };
  const mine = memberInstitutionIds.find((id) => canReadInstitution(actor, id));
  return mine ? { row, only: mine } : undefined;
}

export async function getCircuitView(db: DbOrTx, actor: Actor, id: string): Promise<CircuitView | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(circuits).where(eq(circuits.id, id));
  if (!row) return undefined;
  const members = await db
    .selectDistinct({ i: endpoints.institutionId })
    .from(endpoints)
    .where(eq(endpoints.circuitId, id));
  return viewFor(
    actor,
    row,
    members.map((m) => m.i),
  );
}

/** An institution's circuits: those it owns and those with one of its sites as an endpoint. */
export async function circuitsOfInstitution(
  db: DbOrTx,
  institutionId: string,
  states?: readonly string[],
): Promise<CircuitView[]> {
  const member = db
    .select({ c: endpoints.circuitId })
    .from(endpoints)
    .where(eq(endpoints.institutionId, institutionId));
  const rows = await db
    .select()
    .from(circuits)
    .where(
      and(
        or(eq(circuits.institutionId, institutionId), inArray(circuits.id, member)),
        ...(states?.length ? [inArray(circuits.state, [...states])] : []),
      ),
    )
    .orderBy(desc(circuits.number))
    .limit(500);
  return rows.map((row) => (row.institutionId === institutionId ? { row } : { row, only: institutionId }));
}

export async function endpointsOf(db: DbOrTx, v: CircuitView) {
  return db
    .select()
    .from(endpoints)
    .where(and(eq(endpoints.circuitId, v.row.id), ...(v.only ? [eq(endpoints.institutionId, v.only)] : [])))
    .orderBy(asc(endpoints.createdAt), asc(endpoints.id));
}

export async function attachmentsOf(db: DbOrTx, endpointId: string) {
  return db
    .select({ a: attachments, vlanId: vlans.id, vid: vlans.vid })
    .from(attachments)
    .leftJoin(vlans, eq(vlans.attachmentId, attachments.id))
    .where(and(eq(attachments.endpointId, endpointId), isNull(attachments.releasedAt)))
    .orderBy(asc(attachments.path));
}

export async function cvlansOf(db: DbOrTx, vlanId: string | null): Promise<number[]> {
  if (!vlanId) return [];
  return (
    await db
      .select({ c: cvlans.cvid })
      .from(cvlans)
      .where(eq(cvlans.vlanId, vlanId))
      .orderBy(asc(cvlans.cvid))
  ).map((r) => r.c);
}

export async function segmentOf(db: DbOrTx, attachmentId: string) {
  const [s] = await db
    .select({ s: segments, network: regionalNetworks.name, handoff: handoffs.name })
    .from(segments)
    .innerJoin(regionalNetworks, eq(regionalNetworks.id, segments.regionalNetworkId))
    .innerJoin(handoffs, eq(handoffs.id, segments.handoffId))
    .where(eq(segments.attachmentId, attachmentId))
    .orderBy(desc(segments.createdAt))
    .limit(1);
  return s;
}

export const listPops = (db: DbOrTx) => db.select().from(pops).orderBy(asc(pops.code));
export const devicesOfPop = (db: DbOrTx, popId: string) =>
  db.select().from(devices).where(eq(devices.popId, popId)).orderBy(asc(devices.name));
export const portsOfDevice = (db: DbOrTx, deviceId: string) =>
  db.select().from(ports).where(eq(ports.deviceId, deviceId)).orderBy(asc(ports.name));
export const listRegionalNetworks = (db: DbOrTx) =>
  db.select().from(regionalNetworks).orderBy(asc(regionalNetworks.name));
export const handoffsOf = (db: DbOrTx, rnId: string) =>
  db.select().from(handoffs).where(eq(handoffs.regionalNetworkId, rnId)).orderBy(asc(handoffs.name));

export async function byId<
  T extends typeof pops | typeof devices | typeof ports | typeof regionalNetworks | typeof handoffs,
>(db: DbOrTx, table: T, id: string) {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select()
    .from(table as typeof ports)
    .where(eq((table as typeof ports).id, id));
  return row as T['$inferSelect'] | undefined;
}

export async function handoffOfPort(db: DbOrTx, portId: string) {
  const [h] = await db.select().from(handoffs).where(eq(handoffs.portId, portId));
  return h;
}

export async function activeRdAdministrator(db: DbOrTx) {
  const [a] = await db.select().from(rdAdministrators).where(eq(rdAdministrators.active, true));
  return a;
}

export async function circuitNumbers(db: DbOrTx, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: circuits.id, n: circuits.number })
    .from(circuits)
    .where(inArray(circuits.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.n]));
}

export async function siteCount(db: DbOrTx, circuitId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(endpoints)
    .where(and(eq(endpoints.circuitId, circuitId), isNull(endpoints.removedAt)));
  return Number(r?.n ?? 0);
}
