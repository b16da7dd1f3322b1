import { ConflictError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { asc, type DbOrTx, eq, inArray, PG, pgError, type SQL, sql, type Tx } from '@guichet/db';
import { cvlans, ports, vlans } from '../tables.js';
import {
  checkCvlans,
  freeRuns,
  inRanges,
  multirangeLiteral,
  parseMultirange,
  rangesText,
  type VidRange,
  vidProblem,
} from '../vlans.js';

/**
 * VLAN allocation, atomic per scope (a port, or the port of a regional handoff). The port row
 * is locked first (`FOR UPDATE`): allocations in one scope queue on it, other scopes go on in
 * parallel — no global lock, no retry loop. The next free VID is `lower()` of the port's
 * maintained free list (its several ranges minus what is held, an int4multirange, optionally
 * narrowed to a hint), taken out of it in the same transaction; the unique key (port, vid) is
 * the backstop, never the mechanism.
 */

export function rowsOf<T>(res: unknown): T[] {
  // PGlite's drizzle driver answers { rows }, postgres.js an array of rows.
  return Array.isArray(res) ? (res as T[]) : ((res as { rows?: T[] }).rows ?? []);
}

export async function exec<T>(db: DbOrTx, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

export interface AllocateVlan {
  portId: string;
  circuitId: string;
  attachmentId?: string | null;
  /** A VID the NOC chose; refused when outside the scope's ranges or taken. */
  vid?: number;
  /** Take the next free VID inside these ranges only (still inside the scope's). */
  within?: readonly VidRange[];
  /** QinQ: the C-VLAN set this S-VLAN carries. */
  cvlans?: readonly number[];
}

export interface AllocatedVlan {
  id: string;
  vid: number;
}

export async function allocateVlan(tx: Tx, a: AllocateVlan): Promise<AllocatedVlan> {
  if (a.vid !== undefined) {
    const problem = vidProblem(a.vid);
    if (problem) throw ValidationError.field(['vid'], problem);
  }
  const set = checkCvlans(a.cvlans ?? [], ['cvlans']);
  const hint = a.within ? multirangeLiteral(a.within) : '{[1,4094]}';
  const vid = a.vid ?? null;
  // One statement while the port row is locked: pick the VID (the lowest free one, or the one
  // asked if it is free), hold it, take it out of the free list. Only the failure path reads more.
  const [row] = await exec<AllocatedVlan>(
    tx,
    sql`WITH p AS (SELECT vlan_free, mode FROM circuits_ports WHERE id = ${a.portId} FOR UPDATE),
         pick AS (SELECT CASE WHEN ${vid}::int IS NULL THEN lower(vlan_free * ${hint}::int4multirange)
                              WHEN ${vid}::int <@ vlan_free THEN ${vid}::int END AS v
                    FROM p WHERE mode = 'shared'),
         ins AS (INSERT INTO circuits_vlans (port_id, vid, circuit_id, attachment_id)
                 SELECT ${a.portId}, v, ${a.circuitId}, ${a.attachmentId ?? null} FROM pick WHERE v IS NOT NULL
                 RETURNING id, vid),
         upd AS (UPDATE circuits_ports u SET vlan_free = u.vlan_free - int4multirange(int4range(ins.vid, ins.vid, '[]'))
                   FROM ins WHERE u.id = ${a.portId} RETURNING u.id)
    SELECT ins.id, ins.vid FROM ins, upd`,
  );
  if (!row) throw await whyNot(tx, a);
  if (set.length) await tx.insert(cvlans).values(set.map((cvid) => ({ vlanId: row.id, cvid })));
  return { id: row.id, vid: Number(row.vid) };
}

/** The typed refusal of an allocation that took nothing. */
async function whyNot(tx: Tx, a: AllocateVlan): Promise<Error> {
  const [port] = await tx
    .select({ mode: ports.mode, ranges: ports.vlanRanges, name: ports.name })
    .from(ports)
    .where(eq(ports.id, a.portId));
  if (!port) return ValidationError.field(['portId'], 'no such port');
  if (port.mode !== 'shared') {
    return new PolicyRefusalError('circuits.port-mode', `port ${port.name} is dedicated: it holds no VLANs`);
  }
  const ranges = parseMultirange(port.ranges);
  if (a.vid === undefined) {
    return new PolicyRefusalError(
      'circuits.vlan-exhausted',
      `no free VID left on port ${port.name} in ${a.within ? rangesText(a.within) : rangesText(ranges)}`,
    );
  }
  if (!inRanges(a.vid, ranges)) {
    return new PolicyRefusalError(
      'circuits.vid-outside-ranges',
      `VID ${a.vid} is outside the ranges of port ${port.name} (${rangesText(ranges)})`,
    );
  }
  return new ConflictError(`VID ${a.vid} of port ${port.name} is held by another circuit`);
}

/** Frees every VLAN a circuit holds (their C-VLAN sets go with them); returns what was freed. */
export async function freeVlans(tx: Tx, circuitId: string, attachmentIds?: readonly string[]) {
  const where =
    attachmentIds === undefined
      ? eq(vlans.circuitId, circuitId)
      : attachmentIds.length
        ? inArray(vlans.attachmentId, [...attachmentIds])
        : sql`false`;
  const freed = await tx.delete(vlans).where(where).returning({ portId: vlans.portId, vid: vlans.vid });
  // Back into each port's free list (the caller holds the ports' locks), within its ranges.
  for (const f of freed) {
    await tx.execute(
      sql`UPDATE circuits_ports SET vlan_free = (vlan_free + int4multirange(int4range(${f.vid}, ${f.vid}, '[]'))) * vlan_ranges WHERE id = ${f.portId}`,
    );
  }
  return freed;
}

export interface VlanMapEntry {
  vid: number;
  circuitId: string;
  attachmentId: string | null;
  cvlans: number[];
}

export interface VlanMap {
  ranges: VidRange[];
  used: VlanMapEntry[];
  free: VidRange[];
}

/** A port's (or handoff's) VLAN map: its ranges, each VID held and by what, the free runs. */
export async function vlanMap(db: DbOrTx, portId: string): Promise<VlanMap | undefined> {
  const [port] = await db.select({ ranges: ports.vlanRanges }).from(ports).where(eq(ports.id, portId));
  if (!port) return undefined;
  const held = await db
    .select({ id: vlans.id, vid: vlans.vid, circuitId: vlans.circuitId, attachmentId: vlans.attachmentId })
    .from(vlans)
    .where(eq(vlans.portId, portId))
    .orderBy(asc(vlans.vid));
  const inner = held.length
    ? await db
        .select({ vlanId: cvlans.vlanId, cvid: cvlans.cvid })
        .from(cvlans)
        .where(
          inArray(
            cvlans.vlanId,
            held.map((h) => h.id),
          ),
        )
        .orderBy(asc(cvlans.cvid))
    : [];
  const ranges = parseMultirange(port.ranges);
  return {
    ranges,
    used: held.map((h) => ({
      vid: h.vid,
      circuitId: h.circuitId,
      attachmentId: h.attachmentId,
      cvlans: inner.filter((c) => c.vlanId === h.id).map((c) => c.cvid),
    })),
    free: freeRuns(
      ranges,
      held.map((h) => h.vid),
    ),
  };
}
