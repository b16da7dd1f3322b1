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
 * parallel — no global lock, no retry loop. The next free VID is chosen and inserted by ONE
 * statement over the scope's ranges (several, as an int4multirange, optionally narrowed to a
 * hint); the unique key (port, vid) is the backstop, never the mechanism.
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
  const [port] = await tx
    .select({ id: ports.id, mode: ports.mode, ranges: ports.vlanRanges, name: ports.name })
    .from(ports)
    .where(eq(ports.id, a.portId))
    .for('update');
  if (!port) throw ValidationError.field(['portId'], 'no such port');
  if (port.mode !== 'shared') {
    throw new PolicyRefusalError('circuits.port-mode', `port ${port.name} is dedicated: it holds no VLANs`);
  }
  const ranges = parseMultirange(port.ranges);
  let row: AllocatedVlan | undefined;
  if (a.vid !== undefined) {
    const problem = vidProblem(a.vid);
    if (problem) throw ValidationError.field(['vid'], problem);
    if (!inRanges(a.vid, ranges)) {
      throw new PolicyRefusalError(
        'circuits.vid-outside-ranges',
        `VID ${a.vid} is outside the ranges of port ${port.name} (${rangesText(ranges)})`,
      );
    }
    try {
      [row] = await exec<AllocatedVlan>(
        tx,
        sql`INSERT INTO circuits_vlans (port_id, vid, circuit_id, attachment_id)
            VALUES (${a.portId}, ${a.vid}, ${a.circuitId}, ${a.attachmentId ?? null})
            RETURNING id, vid`,
      );
    } catch (e) {
      const pg = pgError(e);
      if (pg?.code === PG.uniqueViolation && pg.constraint === 'circuits_vlans_port_vid_key') {
        throw new ConflictError(`VID ${a.vid} of port ${port.name} is held by another circuit`);
      }
      throw e;
    }
  } else {
    const hint = a.within ? multirangeLiteral(a.within) : '{[1,4094]}';
    [row] = await exec<AllocatedVlan>(
      tx,
      sql`INSERT INTO circuits_vlans (port_id, vid, circuit_id, attachment_id)
          SELECT ${a.portId}, s.v, ${a.circuitId}, ${a.attachmentId ?? null}
            FROM (SELECT generate_series(lower(r), upper(r) - 1) AS v
                    FROM unnest((SELECT vlan_ranges FROM circuits_ports WHERE id = ${a.portId}) * ${hint}::int4multirange) AS r) AS s
           WHERE NOT EXISTS (SELECT 1 FROM circuits_vlans u WHERE u.port_id = ${a.portId} AND u.vid = s.v)
           ORDER BY s.v
           LIMIT 1
          RETURNING id, vid`,
    );
    if (!row) {
      throw new PolicyRefusalError(
        'circuits.vlan-exhausted',
        `no free VID left on port ${port.name} in ${a.within ? rangesText(a.within) : rangesText(ranges)}`,
      );
    }
  }
  if (!row) throw new Error('VLAN insert returned nothing');
  const set = checkCvlans(a.cvlans ?? [], ['cvlans']);
  const vlanId = row.id;
  if (set.length) await tx.insert(cvlans).values(set.map((cvid) => ({ vlanId, cvid })));
  return row;
}

/** Frees every VLAN a circuit holds (their C-VLAN sets go with them); returns what was freed. */
export async function freeVlans(tx: Tx, circuitId: string, attachmentIds?: readonly string[]) {
  const where =
    attachmentIds === undefined
      ? eq(vlans.circuitId, circuitId)
      : attachmentIds.length
        ? inArray(vlans.attachmentId, [...attachmentIds])
        : sql`false`;
  return tx.delete(vlans).where(where).returning({ portId: vlans.portId, vid: vlans.vid });
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
