import { ReturnToInstitution, registerKind } from '@guichet/workflow';
import { z } from 'zod';
import { describeFinding } from './model.js';
import { pushParentZone, verifyDelegation } from './publication.js';
import { currentChecker, currentPublisher, NO_CHECKER } from './runtime.js';
import {
  createDelegation,
  getDelegation,
  planDelegation,
  publishDelegation,
  recordCheck,
  returnDelegation,
  withdrawDelegation,
} from './service.js';

/**
 * `rdns.delegation`: validate (automatic, at filing: every rule of rules.ts against the
 * institution's active assignments; a refusal files nothing) → check (external: the
 * pre-delegation check of the name servers; any error RETURNS the request to the institution
 * with the findings) → publish (external: the delegation enters a new version of the
 * operator's parent zone, validated by named-checkzone, pushed to the operator's server and
 * verified by querying it) → completed.
 *
 * Both external steps are idempotent (a retry runs them again): a check run is simply
 * recorded again; publication renders only once and pushes only a version the server lacks.
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
      type: 'external',
      description:
        'Pre-delegation check of the name servers (reachable over UDP and TCP, authoritative, same SOA serial, the NS set requested, no open recursion, EDNS, DS matching a served DNSKEY set signed by that key). Any error returns the request to the institution with the findings; warnings are shown and do not block.',
      run: async (db, { ctx, outputs }) => {
        const row = await getDelegation(db, str(outputs.validate?.delegationId));
        const check = currentChecker();
        if (!check) {
          const findings = [...NO_CHECKER];
          await db.transaction((tx) => recordCheck(tx, ctx, row.id, findings, false));
          return { ran: false, findings };
        }
        const { findings, blocking } = await check({
          zone: row.zone,
          nameservers: row.nameservers,
          ds: row.ds,
        });
        await db.transaction((tx) => recordCheck(tx, ctx, row.id, findings, blocking));
        if (blocking) {
          const errors = findings.filter((f) => f.level === 'error');
          throw new ReturnToInstitution(
            `The pre-delegation check of ${row.zone} found ${errors.length} error(s): ${errors.map(describeFinding).join('; ')}`,
            { zone: row.zone, findings },
          );
        }
        return { ran: true, findings };
      },
    },
    {
      name: 'publish',
      type: 'external',
      description:
        'Adds the delegation to a new version of the operator’s parent zone (checked by named-checkzone), pushes it to the operator’s server and verifies there that the NS, DS (and RFC 2317 CNAMEs) are served.',
      run: async (db, { ctx, outputs }) => {
        const id = str(outputs.validate?.delegationId);
        const published = await db.transaction((tx) => publishDelegation(tx, ctx, id));
        const { parentZoneId, parentZone, serial } = published;
        if (!parentZoneId || serial === null) return { parentZone, serial, pushed: false, verified: false };
        const push = await pushParentZone(db, parentZoneId);
        // Without a publisher the version is stored but served nowhere: nothing to verify.
        if (!currentPublisher()) return { parentZone, serial, pushed: false, verified: false };
        await verifyDelegation(db, id, serial);
        return { parentZone, serial, pushed: push.pushed, verified: true };
      },
    },
  ],
  onAbandon: async (tx, request, ctx, outputs) => {
    const id = str(outputs.validate?.delegationId);
    if (!id) return;
    // Sent back by the check, never published: it stays visible as `returned`, with its
    // findings, until the institution resubmits (a new pass, a new delegation) or gives up.
    if (request.status === 'returned') await returnDelegation(tx, ctx, id);
    else await withdrawDelegation(tx, ctx, id);
  },
  sla: { responseMinutes: 60, resolutionMinutes: 24 * 60 },
});
