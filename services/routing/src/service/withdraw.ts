import { recordChange } from '@guichet/audit';
import type { RequestContext } from '@guichet/core';
import { and, eq, type Tx } from '@guichet/db';
import type { AssignmentRow } from '@guichet/ipam';
import type { Env } from '@guichet/workflow';
import { announcements, routedInstitutions } from '../tables.js';
import { markCollectorsDirty } from './configs.js';

export const SYNC_COLLECTOR_JOB = 'routing.sync-collector';

/**
 * A returned assignment is no longer announced: inside ipam's return transaction, the
 * announcements it backs are deleted (change log), the institution's collector is marked, and
 * its new configuration is rendered, `bird -p`-checked and pushed by `routing.sync-collector`
 * right after the return commits (and by the minute's `routing.sync-collectors` if that fails).
 */
export async function withdrawForAssignment(
  env: Env,
  tx: Tx,
  ctx: RequestContext,
  a: AssignmentRow,
): Promise<number> {
  const removed = await tx
    .delete(announcements)
    .where(and(eq(announcements.assignmentId, a.id), eq(announcements.institutionId, a.institutionId)))
    .returning({ prefix: announcements.prefix });
  if (removed.length === 0) return 0;
  const [routed] = await tx
    .select({ collectorId: routedInstitutions.collectorId })
    .from(routedInstitutions)
    .where(eq(routedInstitutions.institutionId, a.institutionId));
  await recordChange(tx, ctx, {
    action: 'routing.withdraw',
    objectType: 'InstitutionRouting',
    objectId: a.institutionId,
    institutionId: a.institutionId,
    before: { prefixes: removed.map((r) => r.prefix) },
    after: { reason: `assignment ${a.prefix} returned` },
  });
  if (routed) {
    await markCollectorsDirty(tx, [routed.collectorId]);
    await env.jobs?.sendInTx(
      tx,
      SYNC_COLLECTOR_JOB,
      { collectorId: routed.collectorId },
      { requestId: ctx.requestId },
    );
  }
  return removed.length;
}
