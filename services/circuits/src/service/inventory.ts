import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, parseInput, type RequestContext, ValidationError } from '@guichet/core';
import { and, type Db, eq, isNull, one, PG, pgError, sql, type Tx, translatePgError } from '@guichet/db';
import { sites } from '@guichet/membership';
import { z } from 'zod';
import { formatRdRt, RdRtError, type RdType, typeForAdministrator } from '../rd-rt.js';
import {
  attachments,
  circuits,
  devices,
  handoffs,
  pops,
  ports,
  rdAdministrators,
  regionalNetworks,
  siteAccess,
  vlans,
} from '../tables.js';
import {
  checkRanges,
  inRanges,
  multirangeLiteral,
  parseMultirange,
  rangesText,
  requiredMtu,
} from '../vlans.js';
import { mustOperate } from './access.js';

/**
 * The NOC's inventory: points of presence, access devices and ports, regional networks and
 * their handoffs, which ports a site reaches the backbone through, the RD/RT administrator.
 * Each write: NOC check → parse → one transaction (the port row locked first when its uses
 * matter) → change log. PostgreSQL's refusals come back as typed errors.
 */

const PG_ERRORS = {
  conflicts: {
    circuits_pops_code_key: 'a point of presence with this code exists already',
    circuits_devices_name_key: 'a device with this name exists already',
    circuits_devices_router_id_key: 'another device has this router id',
    circuits_ports_name_key: 'the device has a port with this name already',
    circuits_regional_networks_name_key: 'a regional network with this name exists already',
    circuits_handoffs_port_key: 'this port is a handoff already',
    circuits_handoffs_name_key: 'the regional network has a handoff with this name already',
    circuits_site_access_key: 'the site reaches the backbone through this port already',
  },
  missing: {
    circuits_devices_pop_id_circuits_pops_id_fkey: 'PointOfPresence',
    circuits_ports_device_id_circuits_devices_id_fkey: 'Device',
    circuits_handoffs_regional_network_id_circuits_regional_networks_id_fkey: 'RegionalNetwork',
    circuits_site_access_port_id_circuits_ports_id_fkey: 'Port',
  },
  rules: {
    circuits_handoffs_port_mode_fkey: {
      rule: 'circuits.port-mode',
      message: 'a handoff carries VLANs: its port must be a shared port',
    },
    circuits_attachments_port_mode_fkey: {
      rule: 'circuits.inventory-in-use',
      message: 'the port carries circuits: its mode cannot change',
    },
    circuits_vlans_port_mode_fkey: {
      rule: 'circuits.inventory-in-use',
      message: 'the port holds VLANs: it cannot become dedicated',
    },
    circuits_ports_reserved: {
      rule: 'circuits.inventory-in-use',
      message: 'the circuits on the port hold more bandwidth than that capacity',
    },
    circuits_ports_vlan_ranges: {
      rule: 'circuits.port-mode',
      message: 'a dedicated port has no VLAN ranges (clear them first, or keep it shared)',
    },
  },
  fields: {
    circuits_ports_capacity: { path: ['input', 'capacityMbps'], message: 'between 1 and the port speed' },
  },
};

/**
 * The port-mode foreign keys hold policy, not references: their violations are refusals with a
 * rule (translatePgError maps foreign keys to fields or NotFound, CHECKs to rules).
 */
const FK_RULES: Record<string, { rule: string; message: string }> = {
  circuits_handoffs_port_mode_fkey: PG_ERRORS.rules.circuits_handoffs_port_mode_fkey,
  circuits_attachments_port_mode_fkey: PG_ERRORS.rules.circuits_attachments_port_mode_fkey,
  circuits_vlans_port_mode_fkey: PG_ERRORS.rules.circuits_vlans_port_mode_fkey,
};

async function write<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (e) {
    const pg = pgError(e);
    const rule = pg?.code === PG.foreignKeyViolation ? FK_RULES[pg.constraint ?? ''] : undefined;
    if (rule) throw new PolicyRefusalError(rule.rule, rule.message);
    throw translatePgError(e, PG_ERRORS);
  }
}

const name63 = z.string().trim().min(1).max(63);
const mtu = z.number().int().min(1500).max(16000);
const rangeSchema = z.object({ from: z.number().int(), to: z.number().int() });

export const createPopSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/, 'letters, digits and -, starting with a letter'),
  name: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(200),
});

export async function createPop(db: Db, ctx: RequestContext, input: z.input<typeof createPopSchema>) {
  mustOperate(ctx, 'declares points of presence');
  const v = parseInput(createPopSchema, input);
  return write(db, async (tx) => {
    const row = one(
      await tx
        .insert(pops)
        .values({ ...v, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.createPop',
      objectType: 'PointOfPresence',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

export const createDeviceSchema = z.object({
  popId: z.uuid(),
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ., _ and -'),
  routerId: z.ipv4(),
});

export async function createDevice(db: Db, ctx: RequestContext, input: z.input<typeof createDeviceSchema>) {
  mustOperate(ctx, 'declares access devices');
  const v = parseInput(createDeviceSchema, input);
  return write(db, async (tx) => {
    const row = one(
      await tx
        .insert(devices)
        .values({ ...v, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.createDevice',
      objectType: 'Device',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

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

export const updatePortSchema = z.object({
  portId: z.uuid(),
  mode: z.enum(['shared', 'dedicated']).optional(),
  capacityMbps: z.number().int().min(1).optional(),
  l2Mtu: mtu.optional(),
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

export const createRegionalNetworkSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'letters, digits, _ and -'),
  operator: z.string().trim().min(1).max(200),
  l2Mtu: mtu,
});

export async function createRegionalNetwork(
  db: Db,
  ctx: RequestContext,
  input: z.input<typeof createRegionalNetworkSchema>,
) {
  mustOperate(ctx, 'declares regional networks');
  const v = parseInput(createRegionalNetworkSchema, input);
  return write(db, async (tx) => {
    const row = one(
      await tx
        .insert(regionalNetworks)
        .values({ ...v, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.createRegionalNetwork',
      objectType: 'RegionalNetwork',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

export const createHandoffSchema = z.object({
  regionalNetworkId: z.uuid(),
  portId: z.uuid(),
  name: name63,
  l2Mtu: mtu,
  translation: z.boolean().default(false),
});

export async function createHandoff(db: Db, ctx: RequestContext, input: z.input<typeof createHandoffSchema>) {
  mustOperate(ctx, 'declares handoffs');
  const v = parseInput(createHandoffSchema, input);
  return write(db, async (tx) => {
    await lockPort(tx, v.portId);
    const row = one(
      await tx
        .insert(handoffs)
        .values({ ...v, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.createHandoff',
      objectType: 'Handoff',
      objectId: row.id,
      after: row,
    });
    return row;
  });
}

export const addSiteAccessSchema = z.object({ siteId: z.uuid(), portId: z.uuid() });

/** The site reaches the backbone through the port (directly, or behind the port's handoff). */
export async function addSiteAccess(db: Db, ctx: RequestContext, input: z.input<typeof addSiteAccessSchema>) {
  mustOperate(ctx, 'declares how sites reach the backbone');
  const v = parseInput(addSiteAccessSchema, input);
  return write(db, async (tx) => {
    const [site] = await tx
      .select()
      .from(sites)
      .where(and(eq(sites.id, v.siteId), isNull(sites.removedAt)));
    if (!site) throw ValidationError.field(['input', 'siteId'], 'no such site');
    const row = one(
      await tx
        .insert(siteAccess)
        .values({ ...v, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.addSiteAccess',
      objectType: 'SiteAccess',
      objectId: row.id,
      institutionId: site.institutionId,
      after: row,
    });
    return row;
  });
}

export const setRdAdministratorSchema = z.object({
  administrator: z.string().trim().min(1).max(15),
  type: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  rdFrom: z.number().int().min(0),
  rdTo: z.number().int().min(0),
  rtFrom: z.number().int().min(0),
  rtTo: z.number().int().min(0),
});

/**
 * Declares the RD/RT administrator (the operator's AS, or an IPv4 address of it) and the
 * number ranges to assign from; replaces the active one (RDs and RTs already given keep theirs).
 */
export async function setRdAdministrator(
  db: Db,
  ctx: RequestContext,
  input: z.input<typeof setRdAdministratorSchema>,
) {
  mustOperate(ctx, 'declares the RD/RT administrator');
  const v = parseInput(setRdAdministratorSchema, input);
  const type: RdType = v.type ?? typeForAdministrator(v.administrator);
  let administrator = v.administrator;
  for (const [k, n] of [
    ['rdFrom', v.rdFrom],
    ['rdTo', v.rdTo],
    ['rtFrom', v.rtFrom],
    ['rtTo', v.rtTo],
  ] as const) {
    try {
      administrator = formatRdRt(k.startsWith('rd') ? 'RD' : 'RT', type, v.administrator, n).administrator;
    } catch (e) {
      if (e instanceof RdRtError)
        throw new PolicyRefusalError('circuits.rd-rt-invalid', `${k}: ${e.message}`);
      throw e;
    }
  }
  if (v.rdFrom > v.rdTo) throw ValidationError.field(['input', 'rdTo'], 'at least rdFrom');
  if (v.rtFrom > v.rtTo) throw ValidationError.field(['input', 'rtTo'], 'at least rtFrom');
  return write(db, async (tx) => {
    const [before] = await tx
      .select()
      .from(rdAdministrators)
      .where(eq(rdAdministrators.active, true))
      .for('update');
    if (before)
      await tx.update(rdAdministrators).set({ active: false }).where(eq(rdAdministrators.id, before.id));
    const row = one(
      await tx
        .insert(rdAdministrators)
        .values({
          type,
          administrator,
          rdFrom: v.rdFrom,
          rdTo: v.rdTo,
          rtFrom: v.rtFrom,
          rtTo: v.rtTo,
          createdAt: ctx.clock.now(),
        })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.setRdAdministrator',
      objectType: 'RdAdministrator',
      objectId: row.id,
      before,
      after: row,
    });
    return row;
  });
}

/** The L2 MTU a live attachment needs (used by the port MTU check and the sheets). */
export function attachmentMtu(payloadMtu: number | null, tags: number): number {
  return requiredMtu(payloadMtu ?? 1500, tags);
}
