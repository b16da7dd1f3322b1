import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { and, asc, eq, inArray, isNull, sql, type Tx } from '@guichet/db';
import { sites } from '@guichet/membership';
import { formatPrefix, reverseZones } from '@guichet/net';
import { defineKind, type Env, type StepOutputs } from '@guichet/workflow';
import { z } from 'zod';
import { deregisterAssignment, registerAssignment, registerRetry } from './register.js';
import { checkJustification } from './rules.js';
import { allocatePrefix } from './service/allocate.js';
import { quarantineAssignment, returnAssignment } from './service/lifecycle.js';
import { assignments, pools, reservations } from './tables.js';

/**
 * The reverse zones derivable from a prefix (`reverseZones` of @guichet/net): what the
 * `offer-rdns` step hands to the rdns line and what `Assignment.reverseZones` shows.
 */
export function reverseDelegation(
  prefix: string,
): { zone: string; prefix: string; kind: string; parent?: string }[] {
  return reverseZones(prefix).map((z) => ({
    zone: z.zone,
    prefix: formatPrefix(z.prefix),
    kind: z.kind,
    ...(z.parent ? { parent: z.parent } : {}),
  }));
}

/**
 * `ipam.prefix`: validate (automatic: RIPE documentation rules) → policy (automatic: is it a
 * standard case — one IPv6 /48 per site?) → approval (NOC; allocates in the approving
 * transaction, the assignment `reserved`) → register (external: the RIPE database) →
 * offer-rdns (automatic: the reverse zones, for the rdns line) → completed, the assignment
 * `active`. `ipam.return`: the prefix goes back → quarantine.
 */

export const PREFIX_REQUEST = 'ipam.prefix';
export const RETURN_REQUEST = 'ipam.return';

export const prefixRequestSchema = z
  .object({
    family: z.union([z.literal(4), z.literal(6)]),
    size: z.number().int().min(8).max(128),
    siteId: z.uuid().optional(),
    purpose: z.string().trim().min(1).max(500),
    justification: z.string().trim().max(4000).optional(),
  })
  .refine((p) => p.size <= (p.family === 4 ? 32 : 128), {
    path: ['size'],
    message: 'too long for the family',
  });
export type PrefixRequest = z.output<typeof prefixRequestSchema>;

/** The standard case a policy may wave through: one IPv6 /48 for a site. */
export function isStandard(p: PrefixRequest): boolean {
  return p.family === 6 && p.size === 48 && p.siteId !== undefined;
}

/**
 * The auto-approval policy (`IPAM_AUTO_APPROVE`, on by default): a standard request approves
 * itself when the site holds no other reserved or active IPv6 /48 of the institution. The
 * site row is locked first, so two concurrent requests for one site cannot both pass.
 */
export async function autoApproval(
  tx: Tx,
  env: Env,
  institutionId: string,
  p: PrefixRequest,
): Promise<string | false> {
  if (!env.line('ipam').config.IPAM_AUTO_APPROVE || !isStandard(p) || !p.siteId) return false;
  await tx.select({ id: sites.id }).from(sites).where(eq(sites.id, p.siteId)).for('update');
  const [held] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(assignments)
    .where(
      and(
        eq(assignments.institutionId, institutionId),
        eq(assignments.siteId, p.siteId),
        eq(assignments.family, 6),
        sql`masklen(${assignments.prefix}) = 48`,
        inArray(assignments.lifecycle, ['reserved', 'active']),
      ),
    );
  if (Number(held?.n ?? 0) > 0) return false;
  return 'standard case: the first IPv6 /48 of this site (IPAM_AUTO_APPROVE)';
}

const assignmentOf = (outputs: StepOutputs): string | undefined => {
  const id = outputs.approval?.assignmentId;
  return typeof id === 'string' ? id : undefined;
};

export const PREFIX_KIND = defineKind<PrefixRequest>({
  kind: PREFIX_REQUEST,
  queue: 'ipam',
  title: 'IP prefix',
  description:
    'Asks for IPv4 or IPv6 space: an IPv6 /48 per site needs no documentation; anything shorter, and any IPv4, needs a justification kept with the assignment.',
  schema: prefixRequestSchema,
  validate: async (tx, p, institutionId) => {
    if (p.siteId) {
      const [site] = await tx
        .select({ id: sites.id })
        .from(sites)
        .where(and(eq(sites.id, p.siteId), eq(sites.institutionId, institutionId), isNull(sites.removedAt)));
      if (!site) throw ValidationError.field(['siteId'], 'not a site of this institution');
    }
  },
  steps: [
    {
      name: 'validate',
      type: 'automatic',
      description:
        'Checks the RIPE documentation rules (justification for IPv4 and for IPv6 shorter than /48).',
      run: async (_tx, { payload }) => {
        checkJustification(payload.family, payload.size, payload.justification);
        return { standard: isStandard(payload) };
      },
    },
    {
      name: 'approval',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC approves (a standard case — the first IPv6 /48 of a site — approves itself when IPAM_AUTO_APPROVE is on); the prefix is allocated in the same transaction (reserved until registered).',
      autoApprove: (tx, { request, payload, env }) => autoApproval(tx, env, request.institutionId, payload),
      run: async (tx, { request, payload, ctx }) => {
        // Pools of the family, most specific first; the first with space serves. Pools where
        // the institution holds a growth envelope come before all others (its room first).
        const candidates = await tx
          .select({ id: pools.id })
          .from(pools)
          .where(eq(pools.family, payload.family))
          .orderBy(asc(pools.depth), asc(pools.prefix));
        const own = new Set(
          (
            await tx
              .selectDistinct({ id: reservations.poolId })
              .from(reservations)
              .where(
                and(
                  eq(reservations.kind, 'growth'),
                  eq(reservations.institutionId, request.institutionId),
                  eq(reservations.family, payload.family),
                  isNull(reservations.releasedAt),
                ),
              )
          ).map((r) => r.id),
        );
        const ordered = candidates.reverse();
        const ids = [...ordered.filter((c) => own.has(c.id)), ...ordered.filter((c) => !own.has(c.id))];
        for (const { id } of ids) {
          try {
            const a = await tx.transaction((sp) =>
              allocatePrefix(
                sp,
                ctx,
                {
                  poolId: id,
                  length: payload.size,
                  institutionId: request.institutionId,
                  siteId: payload.siteId,
                  purpose: payload.purpose,
                  justification: payload.justification,
                  requestId: request.id,
                },
                'reserved',
              ),
            );
            return { assignmentId: a.id, prefix: a.prefix };
          } catch (e) {
            if (e instanceof PolicyRefusalError && e.rule !== 'justification-required') continue;
            throw e;
          }
        }
        throw new PolicyRefusalError('no-space', `no IPv${payload.family} pool has a free /${payload.size}`);
      },
    },
    {
      name: 'register',
      type: 'external',
      description:
        'Registers the assignment in the RIPE database (dry-run first), then activates it. Without RIPE_API_URL, records "not configured" and goes on.',
      retry: (env) => registerRetry(env.line('ipam').config),
      run: async (db, { outputs, ctx, env }) => {
        const id = assignmentOf(outputs);
        if (!id) throw new ValidationError('the assignment of this request is missing');
        const { ripe, ripeSettings } = env.line('ipam');
        return registerAssignment(db, ctx, id, ripe, ripeSettings);
      },
    },
    {
      name: 'offer-rdns',
      type: 'automatic',
      description:
        'Offers reverse delegation: the reverse zones of the new assignment (nibble zones for IPv6, octet or RFC 2317 zones for IPv4), kept in the request history for the rdns line.',
      run: async (tx, { outputs }) => {
        const id = assignmentOf(outputs);
        if (!id) throw new ValidationError('the assignment of this request is missing');
        const [a] = await tx.select().from(assignments).where(eq(assignments.id, id));
        if (!a) throw new ValidationError('the assignment of this request is missing');
        return { assignmentId: a.id, prefix: a.prefix, reverseZones: reverseDelegation(a.prefix) };
      },
    },
  ],
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 5 * 24 * 60 },
});

export const returnRequestSchema = z.object({
  assignmentId: z.uuid(),
  /** Why the institution gives the space back (kept in the request's history). */
  reason: z.string().trim().max(2000).optional(),
});
export type ReturnRequest = z.output<typeof returnRequestSchema>;

export const RETURN_KIND = defineKind<ReturnRequest>({
  kind: RETURN_REQUEST,
  queue: 'ipam',
  title: 'Prefix return',
  description:
    'Gives a prefix back: it is quarantined (30 days by default) before it can be reused, and its RIPE object is deleted.',
  schema: returnRequestSchema,
  validate: async (tx, p, institutionId) => {
    const [a] = await tx.select().from(assignments).where(eq(assignments.id, p.assignmentId));
    if (a?.institutionId !== institutionId)
      throw ValidationError.field(['assignmentId'], 'not an assignment of this institution');
  },
  steps: [
    {
      name: 'return',
      type: 'automatic',
      description: 'Marks the assignment returned, then quarantined.',
      run: async (tx, { payload, ctx, env, request }) => {
        await returnAssignment(tx, ctx, env, payload.assignmentId, request.id);
        const q = await quarantineAssignment(tx, ctx, payload.assignmentId);
        return { quarantineUntil: q.quarantineUntil?.toISOString() };
      },
    },
    {
      name: 'deregister',
      type: 'external',
      description:
        'Deletes the object from the RIPE database (dry-run first). Without RIPE_API_URL, records "not configured" and goes on.',
      retry: (env) => registerRetry(env.line('ipam').config),
      run: (db, { payload, ctx, env }) => {
        const { ripe, ripeSettings } = env.line('ipam');
        return deregisterAssignment(db, ctx, payload.assignmentId, ripe, ripeSettings);
      },
    },
  ],
  sla: { responseMinutes: 24 * 60, resolutionMinutes: 5 * 24 * 60 },
});
