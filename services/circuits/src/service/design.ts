import { recordChange } from '@guichet/audit';
import {
  type FieldIssue,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, eq, inArray, isNull, one, pgError, sql, type Tx } from '@guichet/db';
import { parseAddress } from '@guichet/net';
import { z } from 'zod';
import { type CircuitsConfig, limitsOf } from '../config.js';
import { assertMove, type CircuitState, portUse, TECHNOLOGIES, type Technology } from '../model.js';
import { assertNone } from '../rules/codes.js';
import { accessTags, designViolations, hopsOf } from '../rules/design.js';
import type { Design, DesignAttachment, EndpointFact, Need, PortFact } from '../rules/facts.js';
import { designShapeIssues } from '../rules/shape.js';
import { attachments, circuits, devices, ports, segments, siteAccess, vpns } from '../tables.js';
import { endpointFacts, lockPorts, portFacts } from './facts.js';
import { createVpn, ensureVrfs } from './rdrt-alloc.js';
import { recordCircuit } from './resource.js';
import { allocateVlan } from './vlan-alloc.js';

/**
 * The NOC's design: the technology, and for each endpoint (and its backup) the port, VID,
 * QinQ C-VLANs, the regional segment behind a handoff, the BGP session of an L3VPN site.
 * Locks the circuit, then its ports in id order, then the RD/RT administrator; checks every
 * invariant on what it read under those locks; then holds everything in the same transaction:
 * capacity (the port's reserved counter, CHECKed ≤ capacity), VLANs, whole ports, RD/RT.
 */

const vid = z
  .number()
  .int()
  .min(1, 'VIDs are 1–4094 (0 is the priority tag)')
  .max(4094, 'VIDs are 1–4094 (4095 is reserved)');

export const attachmentDesignSchema = z.object({
  endpointId: z.uuid(),
  path: z.enum(['primary', 'backup']).default('primary'),
  portId: z.uuid(),
  vids: z.array(vid).max(16).default([]),
  cvlans: z.array(vid).max(4094).default([]),
  segment: z
    .object({
      l2Mtu: z.number().int().min(1500).max(16000).optional(),
      remoteVid: vid.optional(),
      extraTags: z.number().int().min(0).max(2).optional(),
    })
    .optional(),
  bgp: z
    .object({
      localAddress: z.string().trim().min(1).max(45),
      peerAddress: z.string().trim().min(1).max(45),
      peerAsn: z.number().int().min(1).max(4294967295),
      prefixLimit: z.number().int().optional(),
      multihop: z.boolean().optional(),
      localPort: z.number().int().min(1).max(65535).optional(),
      peerPort: z.number().int().min(1).max(65535).optional(),
    })
    .optional(),
});

export const designSchema = z.object({
  technology: z.enum(TECHNOLOGIES),
  payloadMtu: z.number().int().min(576).max(16000).optional(),
  vpnTopology: z.enum(['mesh', 'hub_and_spoke']).default('mesh'),
  attachments: z.array(attachmentDesignSchema).min(1).max(400),
});
export type DesignData = z.output<typeof designSchema>;

export async function lockCircuit(tx: Tx, circuitId: string) {
  const [c] = await tx.select().from(circuits).where(eq(circuits.id, circuitId)).for('update');
  if (!c) throw new Error(`circuit ${circuitId} vanished`);
  return c;
}

export function needOf(c: typeof circuits.$inferSelect, eps: readonly EndpointFact[]): Need {
  return {
    topology: c.topology as Need['topology'],
    service: c.service as Need['service'],
    bandwidthMbps: c.bandwidthMbps,
    backup: c.backup,
    ipv6: c.ipv6,
    multicast: c.multicast,
    endpoints: eps.map((e) => ({
      siteId: e.siteId,
      institutionId: '',
      prefixLimit: e.prefixLimit ?? undefined,
      prefixes: e.prefixes,
      hub: e.hub,
    })),
  };
}

/** Field-level checks the rules leave to the caller: known ports, declared site access, BGP addresses. */
async function designFieldIssues(
  tx: Tx,
  d: DesignData,
  eps: readonly EndpointFact[],
  facts: ReadonlyMap<string, PortFact>,
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const pairs = await tx
    .select({ siteId: siteAccess.siteId, portId: siteAccess.portId })
    .from(siteAccess)
    .where(
      inArray(
        siteAccess.siteId,
        eps.map((e) => e.siteId),
      ),
    );
  const reaches = new Set(pairs.map((p) => `${p.siteId}/${p.portId}`));
  d.attachments.forEach((a, i) => {
    const path = ['attachments', i];
    const e = eps.find((x) => x.id === a.endpointId);
    if (!facts.has(a.portId)) issues.push({ path: [...path, 'portId'], message: 'no such port' });
    else if (e && !reaches.has(`${e.siteId}/${a.portId}`)) {
      issues.push({
        path: [...path, 'portId'],
        message: `${e.label} does not reach the backbone through this port`,
      });
    }
    if (d.technology === 'l3vpn') {
      if (!a.bgp) issues.push({ path: [...path, 'bgp'], message: 'an L3VPN site needs its BGP session' });
      else {
        for (const k of ['localAddress', 'peerAddress'] as const) {
          try {
            parseAddress(a.bgp[k], [...path, 'bgp', k]);
          } catch (err) {
            if (err instanceof ValidationError) issues.push(...err.issues);
            else throw err;
          }
        }
        if (a.bgp.localAddress === a.bgp.peerAddress) {
          issues.push({
            path: [...path, 'bgp', 'peerAddress'],
            message: 'the two ends of a session have two addresses',
          });
        }
      }
    } else if (a.bgp) issues.push({ path: [...path, 'bgp'], message: 'BGP sessions are for L3VPN sites' });
    if (a.segment && !facts.get(a.portId)?.handoff) {
      issues.push({ path: [...path, 'segment'], message: 'this port is not a regional handoff' });
    }
  });
  if (d.technology === 'l3vpn' && d.vpnTopology === 'hub_and_spoke') {
    const hubs = eps.filter((e) => e.hub).length;
    if (hubs === 0 || hubs === eps.length) {
      issues.push({
        path: ['vpnTopology'],
        message: 'hub-and-spoke needs at least one hub site and one spoke site',
      });
    }
  }
  return issues;
}

function asDesign(d: DesignData, cfg: CircuitsConfig): Design {
  return {
    technology: d.technology,
    payloadMtu: d.payloadMtu ?? cfg.CIRCUITS_PAYLOAD_MTU,
    vpnTopology: d.vpnTopology,
    attachments: d.attachments as DesignAttachment[],
  };
}

export interface DesignOutcome {
  technology: Technology;
  attachments: number;
  segments: number;
  vids: number[];
}

/**
 * Checks and applies a design to a circuit in `requested` state (or, with `only`, to the new
 * endpoints of a member change on a circuit already designed).
 */
export async function applyDesign(
  tx: Tx,
  ctx: RequestContext,
  cfg: CircuitsConfig,
  circuitId: string,
  raw: unknown,
  only?: readonly string[],
): Promise<DesignOutcome> {
  const d = parseInput(designSchema, raw, []);
  const c = await lockCircuit(tx, circuitId);
  if (only === undefined) assertMove(c.state as CircuitState, 'provisioning');
  else if (c.technology !== d.technology) {
    throw new PolicyRefusalError(
      'circuits.technology-mismatch',
      `the circuit is ${c.technology}: new members use it too`,
    );
  }
  const all = await endpointFacts(tx, circuitId);
  const eps = only ? all.filter((e) => only.includes(e.id)) : all;
  const shape = designShapeIssues(d, eps, c.backup);
  if (shape.length)
    throw new ValidationError(shape.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), shape);
  await lockPorts(
    tx,
    d.attachments.map((a) => a.portId),
  );
  const facts = await portFacts(
    tx,
    d.attachments.map((a) => a.portId),
  );
  const issues = await designFieldIssues(tx, d, eps, facts);
  if (issues.length)
    throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
  const design = asDesign(d, cfg);
  // The rules see the whole circuit (endpoint count, need); only the new attachments are written.
  assertNone(designViolations(needOf(c, all), all, design, facts, limitsOf(cfg)));
  const now = ctx.clock.now();
  if (only === undefined) {
    const [designed] = await tx
      .update(circuits)
      .set({
        technology: d.technology,
        payloadMtu: design.payloadMtu,
        designedAt: now,
        state: 'provisioning',
        updatedAt: now,
      })
      .where(eq(circuits.id, circuitId))
      .returning();
    if (designed) await recordCircuit(tx, ctx, designed, c.requestId);
  }
  const vids: number[] = [];
  let segmentCount = 0;
  for (const a of design.attachments) {
    const port = facts.get(a.portId)!;
    const e = eps.find((x) => x.id === a.endpointId)!;
    const use = portUse(d.technology);
    const att = one(
      await tx
        .insert(attachments)
        .values({
          circuitId,
          endpointId: a.endpointId,
          path: a.path,
          portId: a.portId,
          portMode: use === 'vlan' ? 'shared' : 'dedicated',
          use,
          portVid: use === 'port' ? (a.vids[0] ?? null) : null,
          reservedMbps: c.bandwidthMbps,
          tags: accessTags(design, a),
          bgpLocal: a.bgp?.localAddress ?? null,
          bgpPeer: a.bgp?.peerAddress ?? null,
          peerAsn: a.bgp?.peerAsn ?? null,
          prefixLimit: a.bgp ? (a.bgp.prefixLimit ?? e.prefixLimit) : null,
          bgpMultihop: a.bgp?.multihop ?? false,
          bgpLocalPort: a.bgp?.localPort ?? null,
          bgpPeerPort: a.bgp?.peerPort ?? null,
          createdAt: now,
        })
        .returning(),
    );
    await reserve(tx, a.portId, c.bandwidthMbps, port.label);
    let localVid = a.vids[0];
    if (use === 'vlan') {
      const v = await allocateVlan(tx, {
        portId: a.portId,
        circuitId,
        attachmentId: att.id,
        ...(a.vids[0] !== undefined ? { vid: a.vids[0] } : {}),
        cvlans: a.cvlans,
      });
      localVid = v.vid;
      vids.push(v.vid);
    }
    if (port.handoff && localVid !== undefined) {
      const hop = hopsOf(design, a, port)[1]!;
      await tx.insert(segments).values({
        circuitId,
        attachmentId: att.id,
        regionalNetworkId: port.handoff.regionalNetwork.id,
        handoffId: port.handoff.id,
        localVid,
        remoteVid: a.segment?.remoteVid ?? localVid,
        extraTags: a.segment?.extraTags ?? 0,
        l2Mtu: hop.l2Mtu,
        createdAt: now,
      });
      segmentCount++;
    }
  }
  await holdRouting(tx, circuitId, d.technology, d.vpnTopology, only === undefined);
  await recordChange(tx, ctx, {
    action: only ? 'circuits.designMembers' : 'circuits.design',
    objectType: 'Circuit',
    objectId: circuitId,
    institutionId: c.institutionId,
    after: { technology: d.technology, payloadMtu: design.payloadMtu, attachments: design.attachments, vids },
  });
  return { technology: d.technology, attachments: design.attachments.length, segments: segmentCount, vids };
}

/** Adds to the port's reserved bandwidth; the CHECK (reserved ≤ capacity) is the backstop. */
export async function reserve(tx: Tx, portId: string, mbps: number, label: string) {
  try {
    await tx
      .update(ports)
      .set({ reservedMbps: sql`${ports.reservedMbps} + ${mbps}` })
      .where(eq(ports.id, portId));
  } catch (e) {
    if (pgError(e)?.constraint === 'circuits_ports_reserved') {
      throw new PolicyRefusalError(
        'circuits.bandwidth-capacity',
        `port ${label}: not enough capacity left for ${mbps} Mbit/s`,
      );
    }
    throw e;
  }
}

/** RD/RT: the VPN (new) and a VRF with its RD on each device a live attachment uses. */
export async function holdRouting(
  tx: Tx,
  circuitId: string,
  t: Technology,
  topology: 'mesh' | 'hub_and_spoke',
  create: boolean,
) {
  if (t === 'lambda') return;
  let [vpn] = await tx.select().from(vpns).where(eq(vpns.circuitId, circuitId));
  if (!vpn && create)
    vpn = await createVpn(
      tx,
      circuitId,
      t === 'l3vpn' ? 'l3vpn' : 'l2vpn',
      t === 'l3vpn' ? topology : 'mesh',
    );
  if (!vpn) return;
  const used = await tx
    .selectDistinct({ deviceId: devices.id })
    .from(attachments)
    .innerJoin(ports, eq(ports.id, attachments.portId))
    .innerJoin(devices, eq(devices.id, ports.deviceId))
    .where(and(eq(attachments.circuitId, circuitId), isNull(attachments.releasedAt)));
  await ensureVrfs(
    tx,
    vpn.id,
    used.map((u) => u.deviceId),
  );
}
