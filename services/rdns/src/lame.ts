import { ConflictError } from '@guichet/core';
import { eq } from '@guichet/db';
import { type RetryPolicy, registerKind } from '@guichet/workflow';
import { z } from 'zod';
import { describeFinding } from './model.js';
import { currentChecker, isLame, LAME_CODES } from './runtime.js';
import { getDelegation, recordCheck, setDelegationState } from './service.js';
import { delegations, type FindingJson } from './tables.js';

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

/** How often `repair` checks again, and for how long (mutable: tests and configureRdns tune it). */
export const REPAIR_RETRY: RetryPolicy = { limit: 14, delaySeconds: 24 * 3600, backoff: false };

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
    .map(describeFinding)
    .join('; ');

registerKind<LamePayload>({
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
      retry: REPAIR_RETRY,
      description:
        'Checks the zone again (daily by default) until it passes — the delegation is then published again and the request completes — or the attempts run out (the request fails to the NOC).',
      run: async (db, { ctx, payload }) => {
        const row = await getDelegation(db, payload.delegationId);
        // Repaired meanwhile (a NOC re-check), or withdrawn: nothing left to wait for.
        if (row.state !== 'lame') return { state: row.state };
        const check = currentChecker();
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
