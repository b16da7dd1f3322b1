import { PolicyRefusalError } from '@guichet/core';
import { and, asc, type DbOrTx, eq, inArray, sql, type Tx } from '@guichet/db';
import type { RtRole, VpnTopology } from '../model.js';
import { formatRdRt, type RdType } from '../rd-rt.js';
import { rdAdministrators, routeTargets, vpns, vrfs } from '../tables.js';
import { exec } from './vlan-alloc.js';

/**
 * RD and RT allocation from the active administrator's ranges. The administrator row is
 * locked first (it is the parent of every number it gives); the lowest free number is found by
 * a gap query on the (administrator, number) unique key, which is also the backstop. RDs are
 * one per VRF (a VPN's instance on a device), RTs one per mesh VPN or a hub/spoke pair.
 */

type Admin = typeof rdAdministrators.$inferSelect;

export async function lockAdministrator(tx: Tx): Promise<Admin> {
  const [a] = await tx.select().from(rdAdministrators).where(eq(rdAdministrators.active, true)).for('update');
  if (!a) {
    throw new PolicyRefusalError(
      'circuits.no-rd-administrator',
      'the NOC has not declared the RD/RT administrator (setRdAdministrator) yet',
    );
  }
  return a;
}

async function nextNumber(
  tx: Tx,
  table: 'circuits_vrfs' | 'circuits_route_targets',
  a: Admin,
  from: number,
  to: number,
) {
  const t = sql.raw(table);
  const [row] = await exec<{ next: string }>(
    tx,
    sql`SELECT (x.n + 1)::text AS next
          FROM (SELECT ${from}::bigint - 1 AS n
                UNION ALL SELECT number FROM ${t} WHERE administrator_id = ${a.id} AND number >= ${from}) AS x
         WHERE x.n + 1 <= ${to}
           AND NOT EXISTS (SELECT 1 FROM ${t} u WHERE u.administrator_id = ${a.id} AND u.number = x.n + 1)
         ORDER BY x.n
         LIMIT 1`,
  );
  if (!row) {
    throw new PolicyRefusalError(
      'circuits.rd-rt-exhausted',
      `no ${table === 'circuits_vrfs' ? 'RD' : 'RT'} number left in ${from}–${to} for administrator ${a.administrator}`,
    );
  }
  return Number(row.next);
}

/** Creates the VPN of a circuit with its RT(s). */
export async function createVpn(tx: Tx, circuitId: string, kind: 'l2vpn' | 'l3vpn', topology: VpnTopology) {
  const a = await lockAdministrator(tx);
  const [vpn] = await tx.insert(vpns).values({ circuitId, kind, topology }).returning();
  if (!vpn) throw new Error('VPN insert returned nothing');
  const roles: RtRole[] = topology === 'mesh' ? ['both'] : ['hub', 'spoke'];
  for (const role of roles) {
    const number = await nextNumber(tx, 'circuits_route_targets', a, a.rtFrom, a.rtTo);
    const value = formatRdRt('RT', a.type as RdType, a.administrator, number).text;
    await tx
      .insert(routeTargets)
      .values({ vpnId: vpn.id, vpnTopology: topology, role, value, administratorId: a.id, number });
  }
  return vpn;
}

/** The VPN's instance on each device (its RD), for devices that have none yet. */
export async function ensureVrfs(tx: Tx, vpnId: string, deviceIds: readonly string[]) {
  const a = await lockAdministrator(tx);
  const have = new Set(
    (await tx.select({ d: vrfs.deviceId }).from(vrfs).where(eq(vrfs.vpnId, vpnId))).map((r) => r.d),
  );
  for (const deviceId of [...new Set(deviceIds)].sort()) {
    if (have.has(deviceId)) continue;
    const number = await nextNumber(tx, 'circuits_vrfs', a, a.rdFrom, a.rdTo);
    const rd = formatRdRt('RD', a.type as RdType, a.administrator, number).text;
    await tx.insert(vrfs).values({ vpnId, deviceId, rd, administratorId: a.id, number });
  }
}

/** Drops the VRFs of devices no live attachment of the VPN uses any more (frees their RDs). */
export async function dropVrfs(tx: Tx, vpnId: string, keepDeviceIds: readonly string[]) {
  const keep = [...new Set(keepDeviceIds)];
  const gone = (await tx.select().from(vrfs).where(eq(vrfs.vpnId, vpnId))).filter(
    (v) => !keep.includes(v.deviceId),
  );
  if (gone.length)
    await tx.delete(vrfs).where(
      inArray(
        vrfs.id,
        gone.map((g) => g.id),
      ),
    );
  return gone.map((g) => g.rd);
}

/** Deletes the VPN; its RTs and VRFs (their RDs) go with it. */
export async function dropVpn(tx: Tx, circuitId: string) {
  const [vpn] = await tx.select().from(vpns).where(eq(vpns.circuitId, circuitId));
  if (!vpn) return { rts: [] as string[], rds: [] as string[] };
  const rts = (
    await tx.select({ v: routeTargets.value }).from(routeTargets).where(eq(routeTargets.vpnId, vpn.id))
  ).map((r) => r.v);
  const rds = (await tx.select({ v: vrfs.rd }).from(vrfs).where(eq(vrfs.vpnId, vpn.id))).map((r) => r.v);
  await tx.delete(vrfs).where(eq(vrfs.vpnId, vpn.id));
  await tx.delete(routeTargets).where(eq(routeTargets.vpnId, vpn.id));
  await tx.delete(vpns).where(eq(vpns.id, vpn.id));
  return { rts, rds };
}

export interface VpnRouting {
  vpnId: string;
  kind: string;
  topology: VpnTopology;
  /** `both` for a mesh; `hub` and `spoke` for hub-and-spoke. */
  routeTargets: { role: RtRole; value: string }[];
  vrfs: { deviceId: string; rd: string }[];
}

export async function vpnRouting(db: DbOrTx, circuitId: string): Promise<VpnRouting | undefined> {
  const [vpn] = await db.select().from(vpns).where(eq(vpns.circuitId, circuitId));
  if (!vpn) return undefined;
  const rts = await db
    .select({ role: routeTargets.role, value: routeTargets.value })
    .from(routeTargets)
    .where(eq(routeTargets.vpnId, vpn.id))
    .orderBy(asc(routeTargets.role));
  const vs = await db
    .select({ deviceId: vrfs.deviceId, rd: vrfs.rd })
    .from(vrfs)
    .where(and(eq(vrfs.vpnId, vpn.id)))
    .orderBy(asc(vrfs.rd));
  return {
    vpnId: vpn.id,
    kind: vpn.kind,
    topology: vpn.topology as VpnTopology,
    routeTargets: rts.map((r) => ({ role: r.role as RtRole, value: r.value })),
    vrfs: vs,
  };
}
