import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, parseInput, type RequestContext, ValidationError } from '@guichet/core';
import { and, type Db, eq, isNull, one, sql, type Tx } from '@guichet/db';
import { z } from 'zod';
import { attachments, circuits, ports, vlans } from '../../tables.js';
import { checkRanges, inRanges, multirangeLiteral, parseMultirange, rangesText } from '../../vlans.js';
import { mustOperate } from '../access.js';
import { mtu, rangeSchema, write } from './write.js';

/** Access ports: their mode, capacity, MTU and VLAN ranges (the scope's free list kept exact). */

export const createPortSchema = z
  .object({
    deviceId: z.uuid(),
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9/:._-]{0,62}$/, 'an interface name (xe-0/0/1, Ethernet1/1…)'),
    speedMbps: z.union([z.literal(1000), z.literal(10000), z.literal(40000), z.literal(100000)]),
    l2Mtu: mtu,
    mode: z.enum(['shared', 'dedicated']),
    capacityMbps: z.number().int().min(1).optional(),
    vlanRanges: z.array(rangeSchema).max(64).optional(),
  })
  .refine((p) => p.capacityMbps === undefined || p.capacityMbps <= p.speedMbps, {
    path: ['capacityMbps'],
    message: 'at most the port speed',
  })
  .refine((p) => p.mode === 'shared' || !p.vlanRanges?.length, {
    path: ['vlanRanges'],
    message: 'a dedicated port has no VLAN ranges',
  });

export async function createPort(db: Db, ctx: RequestContext, input: z.input<typeof createPortSchema>) {
  mustOperate(ctx, 'declares ports');
  const v = parseInput(createPortSchema, input);
  const ranges = checkRanges(v.vlanRanges ?? [], ['input', 'vlanRanges']);
  return write(db, async (tx) => {
    const row = one(
      await tx
        .insert(ports)
        .values({
          deviceId: v.deviceId,
          name: v.name,
          speedMbps: v.speedMbps,
          l2Mtu: v.l2Mtu,
          mode: v.mode,
          capacityMbps: v.capacityMbps ?? v.speedMbps,
          vlanRanges: multirangeLiteral(ranges),
          vlanFree: multirangeLiteral(ranges),
          createdAt: ctx.clock.now(),
        })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.createPort',
      objectType: 'Port',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

export const updatePortSchema = z
  .object({
    portId: z.uuid(),
    mode: z.enum(['shared', 'dedicated']).optional(),
    capacityMbps: z.number().int().min(1).optional(),
    l2Mtu: mtu.optional(),
  })
  // An update that names no change is a mistake in the caller's script, not a no-op to record.
  .refine((v) => v.mode !== undefined || v.capacityMbps !== undefined || v.l2Mtu !== undefined, {
    message: 'nothing to change: give dedicated, capacityMbps or l2Mtu',
    path: [],
  });

/** Locks the port; a smaller MTU than a live circuit on it needs, or a mode change in use, is refused. */
export async function updatePort(db: Db, ctx: RequestContext, input: z.input<typeof updatePortSchema>) {
  mustOperate(ctx, 'changes ports');
  const v = parseInput(updatePortSchema, input);
  return write(db, async (tx) => {
    const before = await lockPort(tx, v.portId);
    if (v.l2Mtu !== undefined && v.l2Mtu < before.l2Mtu) {
      const [need] = await tx
        .select({
          mtu: sql<number>`coalesce(max(coalesce(${circuits.payloadMtu}, 1500) + 4 * ${attachments.tags}), 0)::int`,
        })
        .from(attachments)
        .innerJoin(circuits, eq(circuits.id, attachments.circuitId))
        .where(and(eq(attachments.portId, v.portId), isNull(attachments.releasedAt)));
      if ((need?.mtu ?? 0) > v.l2Mtu) {
        throw new PolicyRefusalError(
          'circuits.inventory-in-use',
          `a circuit on the port needs an L2 MTU of ${need?.mtu}: ${v.l2Mtu} is too small`,
        );
      }
    }
    const row = one(
      await tx
        .update(ports)
        .set({
          ...(v.mode ? { mode: v.mode } : {}),
          ...(v.capacityMbps !== undefined ? { capacityMbps: v.capacityMbps } : {}),
          ...(v.l2Mtu !== undefined ? { l2Mtu: v.l2Mtu } : {}),
        })
        .where(eq(ports.id, v.portId))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.updatePort',
      objectType: 'Port',
      objectId: row.id,
      before,
      after: row,
    });
    return row;
  });
}

export async function lockPort(tx: Tx, portId: string) {
  const [row] = await tx.select().from(ports).where(eq(ports.id, portId)).for('update');
  if (!row) throw ValidationError.field(['input', 'portId'], 'no such port');
  return row;
}

export const setVlanRangesSchema = z.object({ portId: z.uuid(), ranges: z.array(rangeSchema).max(64) });

/** Replaces a port's (or its handoff's) VLAN ranges; VIDs already held must stay inside. */
export async function setVlanRanges(db: Db, ctx: RequestContext, input: z.input<typeof setVlanRangesSchema>) {
  mustOperate(ctx, 'sets VLAN ranges');
  const v = parseInput(setVlanRangesSchema, input);
  const ranges = checkRanges(v.ranges, ['input', 'ranges']);
  return write(db, async (tx) => {
    const before = await lockPort(tx, v.portId);
    const held = await tx.select({ vid: vlans.vid }).from(vlans).where(eq(vlans.portId, v.portId));
    const outside = held.map((h) => h.vid).filter((vid) => !inRanges(vid, ranges));
    if (outside.length) {
      throw new PolicyRefusalError(
        'circuits.inventory-in-use',
        `VIDs ${outside.sort((a, b) => a - b).join(', ')} are held by circuits and would fall outside ${rangesText(ranges)}`,
      );
    }
    const literal = multirangeLiteral(ranges);
    const row = one(
      await tx
        .update(ports)
        .set({
          vlanRanges: literal,
          // The new ranges minus what is held: the free list stays exact.
          vlanFree: sql`${literal}::int4multirange - coalesce((SELECT range_agg(int4range(u.vid, u.vid, '[]')) FROM circuits_vlans u WHERE u.port_id = ${v.portId}), '{}'::int4multirange)`,
        })
        .where(eq(ports.id, v.portId))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.setVlanRanges',
      objectType: 'Port',
      objectId: row.id,
      before: { vlanRanges: rangesText(parseMultirange(before.vlanRanges)) },
      after: { vlanRanges: rangesText(ranges) },
    });
    return row;
  });
}
