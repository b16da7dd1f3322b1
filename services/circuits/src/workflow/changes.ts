import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { and, type DbOrTx, eq, inArray, isNull, type Tx } from '@guichet/db';
import { defineKind } from '@guichet/workflow';
import { z } from 'zod';
import type { CircuitsConfig } from '../config.js';
import { assertNone } from '../rules/codes.js';
import { applyDesign, designSchema, lockCircuit } from '../service/design.js';
import { lockPorts } from '../service/facts.js';
import {
  bandwidthViolations,
  changeBandwidth,
  releaseHoldings,
  removeMembers,
  terminateCircuit,
} from '../service/lifecycle.js';
import { checkOrder, endpointNeedSchema, insertEndpoints } from '../service/order.js';
import { attachments, circuits, endpoints } from '../tables.js';
import { circuitIdOf, configureStep, consentStep, regionalStep } from './steps.js';

/**
 * Later requests on a circuit, filed by its institution: a bandwidth change; members added to or
 * removed from a multipoint (L3VPN) circuit — new sites go through consent, design and their
 * regional segments like an order; termination — its VLANs, RD/RT and capacity freed in one
 * transaction, then the PE configurations regenerated without it.
 */

async function ownCircuit(db: DbOrTx, circuitId: string, institutionId: string) {
  const [c] = await db.select().from(circuits).where(eq(circuits.id, circuitId));
  if (!c || c.institutionId !== institutionId)
    throw ValidationError.field(['circuitId'], 'not a circuit of the institution');
  if (c.state === 'terminated')
    throw new PolicyRefusalError('circuits.circuit-state', 'the circuit is terminated');
  return c;
}

export const bandwidthChangeSchema = z.object({
  circuitId: z.uuid(),
  bandwidthMbps: z.number().int().min(1).max(100000),
});
export type BandwidthChange = z.output<typeof bandwidthChangeSchema>;

async function checkBandwidth(tx: Tx, p: BandwidthChange, institutionId: string, cfg: CircuitsConfig) {
  const c = await ownCircuit(tx, p.circuitId, institutionId);
  if (c.state !== 'active' && c.state !== 'disabled') {
    throw new PolicyRefusalError('circuits.circuit-state', `a ${c.state} circuit does not change bandwidth`);
  }
  assertNone(await bandwidthViolations(tx, c, p.bandwidthMbps, cfg));
}

export const BANDWIDTH_KIND = defineKind<BandwidthChange>({
  kind: 'circuits.bandwidthChange',
  queue: 'circuits',
  title: 'Circuit bandwidth change',
  description:
    'Changes the bandwidth of an active circuit, within its technology’s offer and its ports’ remaining capacity.',
  schema: bandwidthChangeSchema,
  validate: async (tx, p, institutionId, _ctx, env) =>
    checkBandwidth(tx, p, institutionId, env.line('circuits').config),
  summary: (p) => `bandwidth ${p.bandwidthMbps} Mbit/s`,
  steps: [
    {
      name: 'apply',
      type: 'automatic',
      description: 'Checks again under the ports’ locks, then moves the bandwidth held on each port.',
      run: async (tx, args) => {
        const c = await changeBandwidth(
          tx,
          args.ctx,
          args.payload.circuitId,
          args.payload.bandwidthMbps,
          args.env.line('circuits').config,
        );
        return { circuitId: c.id, bandwidthMbps: c.bandwidthMbps };
      },
    },
  ],
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
});

export const memberChangeSchema = z.object({
  circuitId: z.uuid(),
  add: z.array(endpointNeedSchema).max(200).default([]),
  remove: z.array(z.uuid()).max(200).default([]),
});
export type MemberChange = z.output<typeof memberChangeSchema>;

async function checkMembers(tx: DbOrTx, p: MemberChange, institutionId: string, cfg: CircuitsConfig) {
  const c = await ownCircuit(tx, p.circuitId, institutionId);
  if (c.topology !== 'multipoint' || c.state !== 'active') {
    throw new PolicyRefusalError(
      'circuits.member-change',
      'members are added to and removed from an active multipoint circuit',
    );
  }
  if (p.add.length + p.remove.length === 0)
    throw ValidationError.field(['add'], 'add or remove at least one member');
  const live = await tx
    .select()
    .from(endpoints)
    .where(and(eq(endpoints.circuitId, c.id), isNull(endpoints.removedAt)));
  p.remove.forEach((id, i) => {
    if (!live.some((e) => e.id === id))
      throw ValidationError.field(['remove', i], 'not a member of the circuit');
  });
  if (live.length - new Set(p.remove).size + p.add.length < 2) {
    throw new PolicyRefusalError('circuits.member-change', 'a multipoint circuit keeps at least two members');
  }
  const order = {
    ...c,
    service: c.service as 'ip',
    topology: 'multipoint' as const,
    endpoints: p.add,
    wantedFrom: undefined,
    wantedUntil: undefined,
  };
  const checked = p.add.length
    ? await checkOrder(tx, order, institutionId, cfg, {
        requireOwn: false,
        otherSiteIds: live.filter((e) => !p.remove.includes(e.id)).map((e) => e.siteId),
      })
    : [];
  return { circuit: c, checked };
}

export const MEMBER_KIND = defineKind<MemberChange>({
  kind: 'circuits.memberChange',
  queue: 'circuits',
  title: 'Circuit member change',
  description:
    'Adds sites to or removes sites from an active multipoint (L3VPN) circuit. New sites need their institution’s consent, the NOC’s design and their regional segments; leaving sites free what they held.',
  schema: memberChangeSchema,
  validate: async (tx, p, institutionId, _ctx, env) => {
    await checkMembers(tx, p, institutionId, env.line('circuits').config);
  },
  summary: (p) => `${p.add.length} member(s) added, ${p.remove.length} removed`,
  steps: [
    {
      name: 'record',
      type: 'automatic',
      description:
        'Checks the change and records the new members (another institution’s site waits for its consent).',
      run: async (tx, args) => {
        await lockCircuit(tx, args.payload.circuitId);
        const { checked } = await checkMembers(
          tx,
          args.payload,
          args.request.institutionId,
          args.env.line('circuits').config,
        );
        const added = args.payload.add.length
          ? await insertEndpoints(
              tx,
              args.ctx,
              args.payload.circuitId,
              args.request.id,
              args.payload.add,
              checked,
            )
          : [];
        return {
          circuitId: args.payload.circuitId,
          added: added.map((e) => e.id),
          removed: args.payload.remove,
        };
      },
    },
    consentStep<MemberChange>(),
    {
      name: 'design',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC designs the new members’ attachments (designCircuit) with the circuit’s technology; approves itself when no member is added.',
      dataSchema: designSchema as never,
      autoApprove: async (_tx, { payload }) => (payload.add.length === 0 ? 'no member is added' : false),
      run: async (tx, args) => {
        const added = (args.outputs.record?.added as string[] | undefined) ?? [];
        if (added.length === 0) return {};
        return {
          ...(await applyDesign(
            tx,
            args.ctx,
            args.env.line('circuits').config,
            circuitIdOf(args),
            args.data,
            added,
          )),
        };
      },
    },
    regionalStep<MemberChange>(),
    {
      name: 'apply',
      type: 'automatic',
      description: 'The leaving members’ VLANs, capacity and RDs are freed in this transaction.',
      run: async (tx, args) => ({
        freed: await removeMembers(
          tx,
          args.ctx,
          args.payload.circuitId,
          args.payload.remove,
          args.request.id,
        ),
      }),
    },
    configureStep<MemberChange>(),
  ],
  onAbandon: async (tx, request, ctx) => {
    const p = request.payload as MemberChange;
    const added = await tx
      .select({ id: endpoints.id })
      .from(endpoints)
      .where(and(eq(endpoints.requestId, request.id), isNull(endpoints.removedAt)));
    if (added.length === 0) return;
    await lockCircuit(tx, p.circuitId);
    await releaseHoldings(
      tx,
      ctx,
      p.circuitId,
      added.map((a) => a.id),
    );
    await tx
      .update(endpoints)
      .set({ removedAt: ctx.clock.now(), removedRequestId: request.id })
      .where(
        inArray(
          endpoints.id,
          added.map((a) => a.id),
        ),
      );
  },
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 30 * 24 * 60 },
});

export const terminationSchema = z.object({
  circuitId: z.uuid(),
  reason: z.string().trim().max(2000).optional(),
});
export type Termination = z.output<typeof terminationSchema>;

export const TERMINATION_KIND = defineKind<Termination>({
  kind: 'circuits.termination',
  queue: 'circuits',
  title: 'Circuit termination',
  description:
    'Ends a circuit: the NOC schedules it (and tells the regional operators), then its VLANs, RD/RT and capacity are freed in one transaction and the PE configurations regenerated without it.',
  schema: terminationSchema,
  validate: async (tx, p, institutionId) => {
    await ownCircuit(tx, p.circuitId, institutionId);
  },
  summary: () => 'termination',
  steps: [
    {
      name: 'noc',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC schedules the decommissioning and tells the regional operators of the circuit’s segments.',
    },
    {
      name: 'terminate',
      type: 'automatic',
      description:
        'Frees the circuit’s VLANs, C-VLAN sets, whole ports, bandwidth and RD/RT, in this transaction.',
      run: async (tx, args) => {
        const c = await lockCircuit(tx, args.payload.circuitId);
        await lockPorts(
          tx,
          (
            await tx
              .select({ p: attachments.portId })
              .from(attachments)
              .where(eq(attachments.circuitId, c.id))
          ).map((r) => r.p),
        );
        const { freed } = await terminateCircuit(tx, args.ctx, c.id, args.request.id);
        return { circuitId: c.id, freed };
      },
    },
    configureStep<Termination>('terminate'),
  ],
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 7 * 24 * 60 },
});
