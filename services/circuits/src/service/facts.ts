import { and, asc, type DbOrTx, eq, inArray, isNull, sql } from '@guichet/db';
import { institutions, sites } from '@guichet/membership';
import type { PortMode } from '../model.js';
import type { EndpointFact, PortFact } from '../rules/facts.js';
import { attachments, devices, endpoints, handoffs, ports, regionalNetworks, siteAccess } from '../tables.js';

/**
 * What the pure rules are given, read from the database. Called inside the transaction that
 * will write, after the rows that matter were locked (`lockPorts`).
 */

/** Locks the ports in id order (every writer takes them in that order: no deadlock). */
export async function lockPorts(tx: DbOrTx, ids: readonly string[]) {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return [];
  return tx.select().from(ports).where(inArray(ports.id, sorted)).orderBy(asc(ports.id)).for('update');
}

export async function portFacts(db: DbOrTx, ids: readonly string[]): Promise<Map<string, PortFact>> {
  const list = [...new Set(ids)];
  const out = new Map<string, PortFact>();
  if (list.length === 0) return out;
  const rows = await db
    .select({
      port: ports,
      device: devices.name,
      handoff: handoffs,
      network: regionalNetworks,
      inUse: sql<boolean>`EXISTS (SELECT 1 FROM ${attachments} a WHERE a.port_id = ${ports.id} AND a.port_mode = 'dedicated' AND a.released_at IS NULL)`,
    })
    .from(ports)
    .innerJoin(devices, eq(devices.id, ports.deviceId))
    .leftJoin(handoffs, eq(handoffs.portId, ports.id))
    .leftJoin(regionalNetworks, eq(regionalNetworks.id, handoffs.regionalNetworkId))
    .where(inArray(ports.id, list));
  for (const r of rows) {
    out.set(r.port.id, {
      id: r.port.id,
      label: `${r.device} ${r.port.name}`,
      speedMbps: r.port.speedMbps,
      mode: r.port.mode as PortMode,
      capacityMbps: r.port.capacityMbps,
      reservedMbps: r.port.reservedMbps,
      l2Mtu: r.port.l2Mtu,
      dedicatedInUse: Boolean(r.inUse),
      ...(r.handoff && r.network
        ? {
            handoff: {
              id: r.handoff.id,
              label: r.handoff.name,
              l2Mtu: r.handoff.l2Mtu,
              translation: r.handoff.translation,
              regionalNetwork: { id: r.network.id, label: r.network.name, l2Mtu: r.network.l2Mtu },
            },
          }
        : {}),
    });
  }
  return out;
}

/** Per site, the ports it reaches the backbone through. */
export async function accessOf(db: DbOrTx, siteIds: readonly string[]): Promise<Map<string, PortFact[]>> {
  const ids = [...new Set(siteIds)];
  const out = new Map<string, PortFact[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db
    .select({ siteId: siteAccess.siteId, portId: siteAccess.portId })
    .from(siteAccess)
    .where(inArray(siteAccess.siteId, ids));
  const facts = await portFacts(
    db,
    rows.map((r) => r.portId),
  );
  for (const r of rows) {
    const f = facts.get(r.portId);
    if (f) out.get(r.siteId)?.push(f);
  }
  return out;
}

export interface SiteInfo {
  id: string;
  institutionId: string;
  label: string;
}

/** Live sites by id, with their institution and a label (`UNIV-A / Campus Nord`). */
export async function siteInfo(db: DbOrTx, siteIds: readonly string[]): Promise<Map<string, SiteInfo>> {
  const ids = [...new Set(siteIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: sites.id,
      institutionId: sites.institutionId,
      name: sites.name,
      shortName: institutions.shortName,
    })
    .from(sites)
    .innerJoin(institutions, eq(institutions.id, sites.institutionId))
    .where(and(inArray(sites.id, ids), isNull(sites.removedAt)));
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, institutionId: r.institutionId, label: `${r.shortName} / ${r.name}` },
    ]),
  );
}

/** The circuit's live endpoints as the rules see them. */
export async function endpointFacts(
  db: DbOrTx,
  circuitId: string,
): Promise<(EndpointFact & { institutionId: string; consent: string })[]> {
  const rows = await db
    .select({ e: endpoints, site: sites.name, shortName: institutions.shortName })
    .from(endpoints)
    .innerJoin(sites, eq(sites.id, endpoints.siteId))
    .innerJoin(institutions, eq(institutions.id, endpoints.institutionId))
    .where(and(eq(endpoints.circuitId, circuitId), isNull(endpoints.removedAt)))
    .orderBy(asc(endpoints.createdAt), asc(endpoints.id));
  return rows.map((r) => ({
    id: r.e.id,
    siteId: r.e.siteId,
    institutionId: r.e.institutionId,
    consent: r.e.consent,
    label: `${r.shortName} / ${r.site}`,
    prefixLimit: r.e.prefixLimit,
    prefixes: r.e.prefixes,
    hub: r.e.hub,
  }));
}
