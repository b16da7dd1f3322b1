import { recordChange } from '@guichet/audit';
import { type FieldIssue, PolicyRefusalError, type RequestContext, ValidationError } from '@guichet/core';
import { type DbOrTx, eq, one, type Tx } from '@guichet/db';
import { isServiceOpen } from '@guichet/membership';
import { parsePrefix } from '@guichet/net';
import { z } from 'zod';
import { type CircuitsConfig, limitsOf } from '../config.js';
import { circuitReference } from '../model.js';
import { assertNone } from '../rules/codes.js';
import type { Need } from '../rules/facts.js';
import { needViolations } from '../rules/need.js';
import { circuits, endpoints } from '../tables.js';
import { checkCvlans } from '../vlans.js';
import { accessOf, siteInfo } from './facts.js';
import { recordCircuit } from './resource.js';

/**
 * The need an institution expresses (`circuits.order`), checked at filing, at submission and
 * again when the order is recorded: sites, consent, and every need-level invariant (rules/need).
 */

const vid = z
  .number()
  .int()
  .min(1, 'VIDs are 1–4094 (0 is the priority tag)')
  .max(4094, 'VIDs are 1–4094 (4095 is reserved)');

export const endpointNeedSchema = z.object({
  siteId: z.uuid(),
  /** L3VPN: most prefixes the site announces. */
  prefixLimit: z.number().int().optional(),
  /** L3VPN: the prefixes it means to announce (private space is fine). */
  prefixes: z.array(z.string().trim().min(1).max(60)).max(10000).default([]),
  /** Ethernet: its own VLANs to carry (they become C-VLANs, or the whole port is carried). */
  vlans: z.array(vid).max(4094).default([]),
  /** L3VPN hub-and-spoke: a hub site. */
  hub: z.boolean().default(false),
});

export const orderSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    topology: z.enum(['p2p', 'multipoint']),
    service: z.enum(['ethernet', 'ip']),
    bandwidthMbps: z.number().int().min(1).max(100000),
    backup: z.boolean().default(false),
    ipv6: z.boolean().default(false),
    multicast: z.boolean().default(false),
    wantedFrom: z.iso.datetime({ offset: true }).optional(),
    wantedUntil: z.iso.datetime({ offset: true }).optional(),
    endpoints: z.array(endpointNeedSchema).min(2, 'a circuit joins at least two sites').max(200),
  })
  .refine((o) => !o.wantedFrom || !o.wantedUntil || o.wantedFrom < o.wantedUntil, {
    path: ['wantedUntil'],
    message: 'after wantedFrom',
  });
export type Order = z.output<typeof orderSchema>;

export interface CheckedEndpoint {
  siteId: string;
  institutionId: string;
  label: string;
  own: boolean;
}

/** Sites, service openings, and the need-level rules; throws typed errors, writes nothing. */
export async function checkOrder(
  tx: DbOrTx,
  order: Order,
  institutionId: string,
  cfg: CircuitsConfig,
  /** A member change adds sites to a circuit that has the institution's already. */
  opts: { requireOwn?: boolean; otherSiteIds?: readonly string[] } = {},
): Promise<CheckedEndpoint[]> {
  const info = await siteInfo(
    tx,
    order.endpoints.map((e) => e.siteId),
  );
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  order.endpoints.forEach((e, i) => {
    if (!info.has(e.siteId)) issues.push({ path: ['endpoints', i, 'siteId'], message: 'no such site' });
    if (seen.has(e.siteId) || opts.otherSiteIds?.includes(e.siteId)) {
      issues.push({ path: ['endpoints', i, 'siteId'], message: 'this site is an endpoint already' });
    }
    seen.add(e.siteId);
    e.prefixes.forEach((p, j) => {
      try {
        parsePrefix(p, ['endpoints', i, 'prefixes', j]);
      } catch (err) {
        if (err instanceof ValidationError) issues.push(...err.issues);
        else throw err;
      }
    });
    try {
      checkCvlans(e.vlans, ['endpoints', i, 'vlans']);
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues);
      else throw err;
    }
  });
  const list = order.endpoints.map((e) => info.get(e.siteId)).filter((s) => s !== undefined);
  if (
    (opts.requireOwn ?? true) &&
    issues.length === 0 &&
    !list.some((s) => s.institutionId === institutionId)
  ) {
    issues.push({ path: ['endpoints'], message: 'at least one endpoint is a site of the institution' });
  }
  if (issues.length) {
    throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
  }
  for (const inst of [...new Set(list.map((s) => s.institutionId))].sort()) {
    if (!(await isServiceOpen(tx, inst, 'circuits'))) {
      const who = list.find((s) => s.institutionId === inst)?.label.split(' / ')[0];
      throw new PolicyRefusalError(
        'circuits.service-not-open',
        `the agreement of ${who} does not open the circuits service`,
      );
    }
  }
  const need: Need = {
    ...order,
    endpoints: order.endpoints.map((e) => ({ ...e, institutionId: info.get(e.siteId)?.institutionId ?? '' })),
  };
  assertNone(
    needViolations(
      need,
      await accessOf(
        tx,
        order.endpoints.map((e) => e.siteId),
      ),
      limitsOf(cfg),
    ),
  );
  return order.endpoints.map((e) => {
    const s = info.get(e.siteId)!;
    return {
      siteId: s.id,
      institutionId: s.institutionId,
      label: s.label,
      own: s.institutionId === institutionId,
    };
  });
}

/** Records the order: the circuit (requested) and its endpoints; another institution's site waits for its consent. */
export async function recordOrder(
  tx: Tx,
  ctx: RequestContext,
  requestId: string,
  institutionId: string,
  order: Order,
  cfg: CircuitsConfig,
) {
  const checked = await checkOrder(tx, order, institutionId, cfg);
  const now = ctx.clock.now();
  const circuit = one(
    await tx
      .insert(circuits)
      .values({
        institutionId,
        requestId,
        name: order.name,
        topology: order.topology,
        service: order.service,
        bandwidthMbps: order.bandwidthMbps,
        backup: order.backup,
        ipv6: order.ipv6,
        multicast: order.multicast,
        wantedFrom: order.wantedFrom ? new Date(order.wantedFrom) : null,
        wantedUntil: order.wantedUntil ? new Date(order.wantedUntil) : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  );
  await insertEndpoints(tx, ctx, circuit.id, requestId, order.endpoints, checked);
  await recordCircuit(tx, ctx, circuit, requestId);
  await recordChange(tx, ctx, {
    action: 'circuits.order',
    objectType: 'Circuit',
    objectId: circuit.id,
    institutionId,
    after: { ...circuit, reference: circuitReference(circuit.number) },
  });
  return { circuit, pendingConsents: checked.filter((c) => !c.own).length };
}

export async function insertEndpoints(
  tx: Tx,
  ctx: RequestContext,
  circuitId: string,
  requestId: string,
  needs: readonly z.output<typeof endpointNeedSchema>[],
  checked: readonly CheckedEndpoint[],
) {
  const now = ctx.clock.now();
  return tx
    .insert(endpoints)
    .values(
      needs.map((e, i) => {
        const c = checked[i];
        if (!c) throw new Error('checked endpoints do not match the need');
        return {
          circuitId,
          institutionId: c.institutionId,
          siteId: e.siteId,
          consent: c.own ? 'own' : 'pending',
          prefixLimit: e.prefixLimit ?? null,
          prefixes: e.prefixes.map((p) => {
            const q = parsePrefix(p);
            return `${q.address}/${q.length}`;
          }),
          vlans: [...e.vlans].sort((a, b) => a - b),
          hub: e.hub,
          requestId,
          createdAt: now,
        };
      }),
    )
    .returning();
}

/** The circuit a request made or changes (the order's, or the one named in a change's payload). */
export async function circuitOfRequest(db: DbOrTx, requestId: string) {
  const [c] = await db.select().from(circuits).where(eq(circuits.requestId, requestId));
  return c;
}
