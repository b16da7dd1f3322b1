import { recordChange } from '@guichet/audit';
import { isUuid, NotFoundError, PolicyRefusalError, parseInput, type RequestContext } from '@guichet/core';
import { and, type Db, type DbOrTx, eq, inArray, isNull, ne, sql, type Tx } from '@guichet/db';
import { z } from 'zod';
import { type CircuitsConfig, limitsOf } from '../config.js';
import { assertMove, type CircuitState, portUse, type Technology } from '../model.js';
import { assertNone, type Violation, violation } from '../rules/codes.js';
import { remaining } from '../rules/need.js';
import { attachments, circuits, devices, endpoints, ports, segments, vpns } from '../tables.js';
import { mustOperate } from './access.js';
import { lockCircuit, reserve } from './design.js';
import { lockPorts, portFacts } from './facts.js';
import { dropVpn, dropVrfs } from './rdrt-alloc.js';
import { recordCircuit } from './resource.js';
import { pendingSegments } from './segments.js';
import { freeVlans } from './vlan-alloc.js';

/**
 * A circuit's life after its design: activation (every segment active), the NOC disabling and
 * enabling it, bandwidth changes, members leaving, and termination — which frees its VLANs,
 * RD/RT and capacity in the same transaction. Every writer locks the circuit, then its ports
 * in id order, then the RD/RT administrator (the order the design takes too).
 */

/** provisioning → active, once every regional segment is active. */
export async function activateCircuit(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  requestId: string | null = null,
) {
  const c = await lockCircuit(tx, circuitId);
  const pending = await pendingSegments(tx, circuitId);
  if (pending.length) {
    throw new PolicyRefusalError(
      'circuits.segments-pending',
      `${pending.length} regional segment(s) not active yet`,
    );
  }
  if (c.state === 'active') return c;
  assertMove(c.state as CircuitState, 'active');
  const now = ctx.clock.now();
  const [after] = await tx
    .update(circuits)
    .set({ state: 'active', activatedAt: now, updatedAt: now })
    .where(eq(circuits.id, circuitId))
    .returning();
  if (after) await recordCircuit(tx, ctx, after, requestId);
  await recordChange(tx, ctx, {
    action: 'circuits.activate',
    objectType: 'Circuit',
    objectId: circuitId,
    institutionId: c.institutionId,
    before: c,
    after,
  });
  return after!;
}

/**
 * Releases live attachments (all of the circuit's, or those of some endpoints): their VLANs and
 * C-VLAN sets, the bandwidth they hold on their ports, whole ports, regional segments, and the
 * RDs of devices no longer used (all RD/RT when the whole circuit goes). Caller holds the circuit lock.
 */
export async function releaseHoldings(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  endpointIds?: readonly string[],
) {
  const live = await tx
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.circuitId, circuitId),
        isNull(attachments.releasedAt),
        ...(endpointIds
          ? [endpointIds.length ? inArray(attachments.endpointId, [...endpointIds]) : sql`false`]
          : []),
      ),
    );
  await lockPorts(
    tx,
    live.map((a) => a.portId),
  );
  const now = ctx.clock.now();
  const freed = await freeVlans(tx, circuitId, endpointIds ? live.map((a) => a.id) : undefined);
  for (const a of live) {
    await tx
      .update(ports)
      .set({ reservedMbps: sql`${ports.reservedMbps} - ${a.reservedMbps}` })
      .where(eq(ports.id, a.portId));
  }
  if (live.length) {
    await tx
      .update(attachments)
      .set({ releasedAt: now })
      .where(
        inArray(
          attachments.id,
          live.map((a) => a.id),
        ),
      );
    await tx
      .update(segments)
      .set({ state: 'terminated', terminatedAt: now })
      .where(
        and(
          inArray(
            segments.attachmentId,
            live.map((a) => a.id),
          ),
          ne(segments.state, 'terminated'),
        ),
      );
  }
  let routing: { rts: string[]; rds: string[] };
  if (endpointIds === undefined) routing = await dropVpn(tx, circuitId);
  else {
    const [vpn] = await tx.select().from(vpns).where(eq(vpns.circuitId, circuitId));
    const keep = await tx
      .selectDistinct({ deviceId: devices.id })
      .from(attachments)
      .innerJoin(ports, eq(ports.id, attachments.portId))
      .innerJoin(devices, eq(devices.id, ports.deviceId))
      .where(and(eq(attachments.circuitId, circuitId), isNull(attachments.releasedAt)));
    routing = {
      rts: [],
      rds: vpn
        ? await dropVrfs(
            tx,
            vpn.id,
            keep.map((k) => k.deviceId),
          )
        : [],
    };
  }
  return {
    vlans: freed.map((f) => f.vid).sort((a, b) => a - b),
    mbps: live.reduce((n, a) => n + a.reservedMbps, 0),
    ports: [...new Set(live.map((a) => a.portId))].sort(),
    ...routing,
  };
}

/** Terminates the circuit: everything it holds is freed in this transaction. */
export async function terminateCircuit(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  requestId: string | null = null,
) {
  const c = await lockCircuit(tx, circuitId);
  if (c.state === 'terminated') return { circuit: c, freed: null };
  assertMove(c.state as CircuitState, 'terminated');
  const freed = await releaseHoldings(tx, ctx, circuitId);
  const now = ctx.clock.now();
  await tx
    .update(endpoints)
    .set({ removedAt: now })
    .where(and(eq(endpoints.circuitId, circuitId), isNull(endpoints.removedAt)));
  const [after] = await tx
    .update(circuits)
    .set({ state: 'terminated', terminatedAt: now, updatedAt: now })
    .where(eq(circuits.id, circuitId))
    .returning();
  if (after) await recordCircuit(tx, ctx, after, requestId);
  await recordChange(tx, ctx, {
    action: 'circuits.terminate',
    objectType: 'Circuit',
    objectId: circuitId,
    institutionId: c.institutionId,
    before: c,
    after: { ...after, freed },
  });
  return { circuit: after!, freed };
}

/** Members leave a multipoint circuit: their attachments are released, the endpoints marked removed. */
export async function removeMembers(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  endpointIds: readonly string[],
  requestId: string,
) {
  await lockCircuit(tx, circuitId);
  const freed = await releaseHoldings(tx, ctx, circuitId, endpointIds);
  if (endpointIds.length) {
    await tx
      .update(endpoints)
      .set({ removedAt: ctx.clock.now(), removedRequestId: requestId })
      .where(and(inArray(endpoints.id, [...endpointIds]), isNull(endpoints.removedAt)));
  }
  await recordChange(tx, ctx, {
    action: 'circuits.removeMembers',
    objectType: 'Circuit',
    objectId: circuitId,
    after: { endpointIds, freed },
  });
  return freed;
}

/** The bandwidth change's rules, on the circuit's live ports (read under lock by the caller). */
export async function bandwidthViolations(
  tx: Tx,
  c: typeof circuits.$inferSelect,
  mbps: number,
  cfg: CircuitsConfig,
): Promise<Violation[]> {
  const limits = limitsOf(cfg);
  const t = c.technology as Technology;
  const out: Violation[] = [];
  const max = portUse(t) === 'vlan' ? limits.sharedMaxMbps : limits.dedicatedMaxMbps;
  if (mbps > max)
    out.push(
      violation('circuits.bandwidth-offer', `${mbps} Mbit/s is beyond ${max} Mbit/s for this technology`),
    );
  const live = await tx
    .select()
    .from(attachments)
    .where(and(eq(attachments.circuitId, c.id), isNull(attachments.releasedAt)));
  const facts = await portFacts(
    tx,
    live.map((a) => a.portId),
  );
  const delta = new Map<string, number>();
  for (const a of live) delta.set(a.portId, (delta.get(a.portId) ?? 0) + mbps - a.reservedMbps);
  for (const [id, d] of [...delta].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = facts.get(id);
    if (!p || d <= 0) continue;
    const left = portUse(t) === 'port' ? p.speedMbps - p.reservedMbps : remaining(p);
    if (d > left)
      out.push(
        violation('circuits.bandwidth-capacity', `port ${p.label}: ${d} Mbit/s more asked, ${left} left`),
      );
  }
  return out;
}

export async function changeBandwidth(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  mbps: number,
  cfg: CircuitsConfig,
) {
  const c = await lockCircuit(tx, circuitId);
  if (c.state !== 'active' && c.state !== 'disabled') {
    throw new PolicyRefusalError('circuits.circuit-state', `a ${c.state} circuit does not change bandwidth`);
  }
  const live = await tx
    .select()
    .from(attachments)
    .where(and(eq(attachments.circuitId, circuitId), isNull(attachments.releasedAt)));
  await lockPorts(
    tx,
    live.map((a) => a.portId),
  );
  assertNone(await bandwidthViolations(tx, c, mbps, cfg));
  const facts = await portFacts(
    tx,
    live.map((a) => a.portId),
  );
  // Decreases first, so that a port shared by two ends never goes over while it is rewritten.
  for (const a of [...live].sort((x, y) => x.reservedMbps - y.reservedMbps)) {
    await tx
      .update(ports)
      .set({ reservedMbps: sql`${ports.reservedMbps} - ${a.reservedMbps}` })
      .where(eq(ports.id, a.portId));
  }
  for (const a of live) await reserve(tx, a.portId, mbps, facts.get(a.portId)?.label ?? a.portId);
  if (live.length)
    await tx
      .update(attachments)
      .set({ reservedMbps: mbps })
      .where(
        inArray(
          attachments.id,
          live.map((a) => a.id),
        ),
      );
  const [after] = await tx
    .update(circuits)
    .set({ bandwidthMbps: mbps, updatedAt: ctx.clock.now() })
    .where(eq(circuits.id, circuitId))
    .returning();
  await recordChange(tx, ctx, {
    action: 'circuits.changeBandwidth',
    objectType: 'Circuit',
    objectId: circuitId,
    institutionId: c.institutionId,
    before: c,
    after,
  });
  return after!;
}

export const setCircuitStateSchema = z.object({
  circuitId: z.string(),
  state: z.enum(['active', 'disabled']),
});

/** The NOC suspends a circuit (its holdings stay) or puts it back. */
export async function setCircuitState(
  db: Db,
  ctx: RequestContext,
  input: z.input<typeof setCircuitStateSchema>,
) {
  mustOperate(ctx, 'disables and enables circuits');
  const v = parseInput(setCircuitStateSchema, input);
  if (!isUuid(v.circuitId)) throw new NotFoundError('Circuit', v.circuitId);
  return db.transaction(async (tx) => {
    const [c] = await tx.select().from(circuits).where(eq(circuits.id, v.circuitId)).for('update');
    if (!c) throw new NotFoundError('Circuit', v.circuitId);
    if (c.state === v.state) return c;
    assertMove(c.state as CircuitState, v.state);
    const [after] = await tx
      .update(circuits)
      .set({ state: v.state, updatedAt: ctx.clock.now() })
      .where(eq(circuits.id, c.id))
      .returning();
    if (after) await recordCircuit(tx, ctx, after);
    await recordChange(tx, ctx, {
      action: `circuits.${v.state === 'active' ? 'enable' : 'disable'}`,
      objectType: 'Circuit',
      objectId: c.id,
      institutionId: c.institutionId,
      before: c,
      after,
    });
    return after!;
  });
}

/** The devices a circuit has (or had) an attachment on: whose configuration it changes. */
export async function devicesOfCircuit(db: DbOrTx, circuitId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ deviceId: ports.deviceId })
    .from(attachments)
    .innerJoin(ports, eq(ports.id, attachments.portId))
    .where(eq(attachments.circuitId, circuitId));
  return rows.map((r) => r.deviceId).sort();
}
