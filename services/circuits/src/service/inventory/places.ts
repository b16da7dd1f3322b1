import { recordChange } from '@guichet/audit';
import { parseInput, type RequestContext, ValidationError } from '@guichet/core';
import { and, type Db, eq, isNull, one } from '@guichet/db';
import { sites } from '@guichet/membership';
import { z } from 'zod';
import { devices, handoffs, pops, regionalNetworks, siteAccess } from '../../tables.js';
import { mustOperate } from '../access.js';
import { lockPort } from './ports.js';
import { mtu, name63, write } from './write.js';

/** Points of presence, devices, regional networks and handoffs, site access. */

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
