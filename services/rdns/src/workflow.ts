import { ConflictError, PolicyRefusalError } from '@guichet/core';
import { eq } from '@guichet/db';
import { defineKind, type Env, type RetryPolicy, ReturnToInstitution } from '@guichet/workflow';
import { z } from 'zod';
import { isLame, LAME_CODES, NO_CHECKER } from './model.js';
import {
  createDelegation,
  getDelegation,
  planDelegation,
  publishDelegation,
  recordCheck,
  setDelegationState,
  unpublishDelegation,
  withdrawDelegation,
} from './service/delegations.js';
import { pushParentZone, renderParentZoneVersion, verifyDelegation } from './service/publication.js';
import { delegations, type FindingJson } from './tables.js';

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

export const DELEGATION_KIND = defineKind<DelegationPayload>({
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
      run: async (db, { ctx, outputs, env }) => {
        const row = await getDelegation(db, str(outputs.validate?.delegationId));
        const check = env.line('rdns').checker;
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
            `The pre-delegation check of ${row.zone} found ${errors.length} error(s): ${errors.map((f) => `${f.code} (${f.message})`).join('; ')}`,
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
      run: async (db, { ctx, outputs, env }) => {
        const id = str(outputs.validate?.delegationId);
        const published = await db.transaction((tx) => publishDelegation(tx, ctx, id));
        const { parentZoneId, parentZone } = published;
        if (!parentZoneId) return { parentZone, serial: null, pushed: false, verified: false };
        let serial: number | null;
        try {
          serial = await renderParentZoneVersion(db, ctx, parentZoneId);
        } catch (e) {
          // named-checkzone refused the zone with this delegation in it: it leaves the zone again
          // (as if the publication had been rolled back), and the attempt fails.
          if (e instanceof PolicyRefusalError && published.previousState !== 'published') {
            await db.transaction((tx) => unpublishDelegation(tx, ctx, id, published.previousState));
          }
          throw e;
        }
        if (serial === null) return { parentZone, serial, pushed: false, verified: false };
        const { publisher } = env.line('rdns');
        const push = await pushParentZone(db, publisher, parentZoneId);
        // Without a publisher the version is stored but served nowhere: nothing to verify.
        if (!publisher) return { parentZone, serial, pushed: false, verified: false };
        await verifyDelegation(db, id, serial);
        return { parentZone, serial, pushed: push.pushed, verified: true };
      },
    },
  ],
  onAbandon: async (tx, _request, ctx, outputs) => {
    const id = str(outputs.validate?.delegationId);
    if (id) await withdrawDelegation(tx, ctx, id);
  },
  sla: { responseMinutes: 60, resolutionMinutes: 24 * 60 },
});

/**
 * `rdns.lameDelegation`: opened by Guichet itself when the periodic re-check finds that a
 * published zone turned lame. Its ticket lands in the NOC's rdns queue and the institution's
 * technical contacts get an "action needed" email naming the zone.
 *
 * detect (automatic, at filing): locks the delegation, records the findings and marks it
 * `lame` — only if it is still `published`, so two re-checks racing open one request, not two
 * (the loser's filing is refused with a CONFLICT and writes nothing).
 * repair (external, once a day by default): checks again; still failing → the attempt fails and
 * the next one is due a day later; passing → published again and the request completes (its
 * ticket resolves). Out of attempts → failed: the NOC decides (withdraw, or retry).
 */

export const RDNS_LAME = 'rdns.lameDelegation';

/** How often `repair` checks again (RDNS_REPAIR_DELAY_SECONDS), and for how long (14 times). */
export function repairRetry(env: Env): RetryPolicy {
  return { limit: 14, delaySeconds: env.line('rdns').config.RDNS_REPAIR_DELAY_SECONDS, backoff: false };
}

const finding = z.object({
  level: z.enum(['error', 'warning', 'notice']),
  code: z.string(),
  message: z.string(),
});

export const lameSchema = z.object({
  delegationId: z.uuid(),
  zone: z.string().min(1).max(253),
  findings: z.array(finding.passthrough()).max(200),
});
export type LamePayload = z.output<typeof lameSchema>;

/** What makes the zone lame: its errors, and the lame-making findings of any level. */
const problemsOf = (findings: readonly FindingJson[]) =>
  findings
    .filter((f) => f.level === 'error' || LAME_CODES.has(f.code))
    .map((f) => `${f.code} (${f.message})`)
    .join('; ');

export const LAME_KIND = defineKind<LamePayload>({
  kind: RDNS_LAME,
  queue: 'rdns',
  title: 'Lame reverse delegation',
  description:
    'Opened by Guichet when the periodic re-check finds that a delegated reverse zone no longer answers correctly; closes itself when the zone passes the check again.',
  schema: lameSchema,
  summary: (p) => `${p.zone}: ${problemsOf(p.findings as FindingJson[]) || 'the check fails'}`,
  steps: [
    {
      name: 'detect',
      type: 'automatic',
      description: 'Records the failing check and marks the delegation lame (only if it was published).',
      run: async (tx, { ctx, payload }) => {
        const [row] = await tx
          .select()
          .from(delegations)
          .where(eq(delegations.id, payload.delegationId))
          .for('update');
        if (row?.state !== 'published') {
          throw new ConflictError(
            `${payload.zone} is ${row?.state ?? 'unknown'}, not published: nothing to open`,
          );
        }
        const findings = payload.findings as FindingJson[];
        await recordCheck(
          tx,
          ctx,
          row.id,
          findings,
          findings.some((f) => f.level === 'error'),
        );
        await setDelegationState(tx, ctx, row.id, 'lame');
        return { zone: row.zone, errors: problemsOf(findings) };
      },
    },
    {
      name: 'repair',
      type: 'external',
      retry: repairRetry,
      description:
        'Checks the zone again (daily by default) until it passes — the delegation is then published again and the request completes — or the attempts run out (the request fails to the NOC).',
      run: async (db, { ctx, payload, env }) => {
        const row = await getDelegation(db, payload.delegationId);
        // Repaired meanwhile (a NOC re-check), or withdrawn: nothing left to wait for.
        if (row.state !== 'lame') return { state: row.state };
        const check = env.line('rdns').checker;
        if (!check) throw new Error('no checker is installed: cannot tell whether the zone is repaired');
        const result = await check({ zone: row.zone, nameservers: row.nameservers, ds: row.ds });
        const { findings, blocking } = result;
        const lame = isLame(result);
        await db.transaction(async (tx) => {
          await recordCheck(tx, ctx, row.id, findings, blocking);
          if (!lame) await setDelegationState(tx, ctx, row.id, 'published', { only: 'lame' });
        });
        if (lame) throw new Error(`${row.zone} is still lame: ${problemsOf(findings)}`);
        return { state: 'published' };
      },
    },
  ],
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 7 * 24 * 60 },
});
