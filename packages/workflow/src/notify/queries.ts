import { recordChange } from '@guichet/audit';
import { canWrite, ForbiddenError, hasStaffRole, isUuid, type RequestContext } from '@guichet/core';
import { and, asc, type Db, type DbOrTx, eq } from '@guichet/db';
import type { Env } from '../line/env.js';
import { notifications } from '../tables.js';
import { SEND_NOTIFICATIONS } from './listener.js';
import type { NotificationRow } from './send.js';

/** A request's notifications, in the order they were decided. Staff only: addresses are personal data. */
export async function listNotifications(db: DbOrTx, requestId: string): Promise<NotificationRow[]> {
  if (!isUuid(requestId)) return [];
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.requestId, requestId))
    .orderBy(asc(notifications.createdAt), asc(notifications.eventId), asc(notifications.recipient));
}

/**
 * Puts a request's failed notifications back to pending and enqueues their events' jobs: what
 * the NOC does once a relay outage longer than the retries is over. Returns the rows requeued.
 */
export async function retryNotifications(
  db: Db,
  ctx: RequestContext,
  env: Env,
  requestId: string,
): Promise<NotificationRow[]> {
  if (!canWrite(ctx.actor) || !hasStaffRole(ctx.actor, 'noc', 'desk')) {
    throw new ForbiddenError('Only the NOC and the agreement desk resend notifications');
  }
  if (!isUuid(requestId)) return [];
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(notifications)
      .set({ status: 'pending', claimedUntil: null })
      .where(and(eq(notifications.requestId, requestId), eq(notifications.status, 'failed')))
      .returning();
    for (const eventId of new Set(rows.map((r) => r.eventId))) {
      await env.jobs?.sendInTx(tx, SEND_NOTIFICATIONS, { eventId }, { requestId: ctx.requestId });
    }
    for (const r of rows) {
      await recordChange(tx, ctx, {
        action: 'workflow.notification.retry',
        objectType: 'Notification',
        objectId: r.id,
        before: { status: 'failed' },
        after: { status: 'pending' },
      });
    }
    return rows;
  });
}
