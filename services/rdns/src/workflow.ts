import { PolicyRefusalError } from '@guichet/core';
import { registerKind } from '@guichet/workflow';
import { z } from 'zod';
import {
  createDelegation,
  currentChecker,
  getDelegation,
  planDelegation,
  publishDelegation,
  recordCheck,
  withdrawDelegation,
} from './service.js';

/**
 * `rdns.delegation`: validate (automatic: every rule of rules.ts against the institution's
 * active assignments) → check (automatic, see below) → publish (automatic: the delegation is
 * marked published and the operator's parent zone re-rendered, checked with named-checkzone
 * and stored as a new version) → completed.
 *
 * Why `check` is automatic and not external: the engine gives an external step no way to
 * RETURN a request to the institution (a throw only retries, then fails to the NOC). An
 * automatic step that throws rolls back the filing instead, so a blocking finding refuses the
 * request with the findings as the reason (`rdns.check-failed`). When the engine learns
 * "return from a step", `check` should become external (a job with retries).
 */

export const RDNS_DELEGATION = 'rdns.delegation';

const nameServer = z.object({
  name: z.string().trim().min(1).max(253),
  /** Glue, only when the name is inside the delegated zone. */
  addresses: z.array(z.string().trim().min(1).max(45)).max(8).optional(),
});

export const delegationSchema = z.object({
  zone: z.string().trim().min(1).max(253),
  nameservers: z.array(nameServer).max(13),
  ds: z
    .array(
      z.object({
        keyTag: z.number().int(),
        algorithm: z.number().int(),
        digestType: z.number().int(),
        digest: z.string().trim().min(1).max(200),
      }),
    )
    .max(8)
    .optional(),
});
export type DelegationPayload = z.output<typeof delegationSchema>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

registerKind<DelegationPayload>({
  kind: RDNS_DELEGATION,
  queue: 'rdns',
  title: 'Reverse-zone delegation',
  description:
    'Delegates a reverse DNS zone of one of the institution’s active assignments to its own name servers: checked, then published in the operator’s parent zone (NS, glue, DS, or the RFC 2317 CNAMEs).',
  schema: delegationSchema,
  steps: [
    {
      name: 'validate',
      type: 'automatic',
      description:
        'The zone belongs to an active assignment of the institution and is not delegated yet; at least two name servers; glue only (and then required) for names inside the zone; DS digest types 2 and 4 only.',
      run: async (tx, { request, payload, ctx }) => {
        const v = await planDelegation(tx, request.institutionId, payload);
        const row = await createDelegation(tx, ctx, request.institutionId, request.id, v);
        return { delegationId: row.id, zone: row.zone, assignmentId: row.assignmentId };
      },
    },
    {
      name: 'check',
      type: 'automatic',
      description:
        'Pre-delegation check of the name servers; any error refuses the request with the findings. Records “checker not available” while no checker is installed.',
      run: async (tx, { ctx, outputs }) => {
        const id = str(outputs.validate?.delegationId);
        const check = currentChecker();
        if (!check) {
          const findings = [
            { level: 'notice' as const, code: 'CHECKER_NOT_AVAILABLE', message: 'checker not available' },
          ];
          await recordCheck(tx, ctx, id, findings, false);
          return { ran: false, findings };
        }
        const row = await getDelegation(tx, id);
        const { findings, blocking } = await check({
          zone: row.zone,
          nameservers: row.nameservers,
          ds: row.ds,
        });
        if (blocking) {
          const errors = findings.filter((f) => f.level === 'error');
          throw new PolicyRefusalError(
            'rdns.check-failed',
            `the pre-delegation check of ${row.zone} failed: ${errors.map((f) => `${f.code}: ${f.message}`).join('; ')}`,
          );
        }
        await recordCheck(tx, ctx, id, findings, false);
        return { ran: true, findings };
      },
    },
    {
      name: 'publish',
      type: 'automatic',
      description:
        'Marks the delegation published and renders the operator’s parent zone with it, checked by named-checkzone and stored with a new serial.',
      run: async (tx, { ctx, outputs }) => publishDelegation(tx, ctx, str(outputs.validate?.delegationId)),
    },
  ],
  onAbandon: async (tx, _request, ctx, outputs) => {
    const id = str(outputs.validate?.delegationId);
    if (id) await withdrawDelegation(tx, ctx, id);
  },
  sla: { responseMinutes: 60, resolutionMinutes: 24 * 60 },
});
