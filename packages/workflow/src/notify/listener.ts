import { and, type DbOrTx, eq, inArray, isNull, or, type SQL, type Tx } from '@guichet/db';
import { contactRoles, contacts } from '@guichet/membership';
import { type ListenerDeps, onRequestEvent, type RequestEvent, type RequestRow } from '../events.js';
import { notifications } from '../tables.js';
import { type Audience, audienceFor } from './templates.js';

/**
 * Decides, inside the engine's transaction, who gets an email about an event: one
 * `workflow_notifications` row per recipient, and one job to send them. The rows commit with
 * the event or not at all; the job (sendInTx) likewise, so no email ever announces a change
 * that was rolled back.
 */

export const SEND_NOTIFICATIONS = 'workflow.send-notifications';

/** Email addresses of the audience, one per person (lower-cased: the relay does not care, people do). */
export async function recipientsOf(db: DbOrTx, request: RequestRow, audience: Audience): Promise<string[]> {
  const who: SQL[] = [];
  if (audience.requester && request.requesterContactId) who.push(eq(contacts.id, request.requesterContactId));
  if (audience.roles.length) {
    const holders = db
      .select({ id: contactRoles.contactId })
      .from(contactRoles)
      .where(
        and(
          eq(contactRoles.institutionId, request.institutionId),
          inArray(contactRoles.role, audience.roles),
        ),
      );
    who.push(inArray(contacts.id, holders));
  }
  if (who.length === 0) return [];
  const rows = await db
    .select({ email: contacts.email })
    .from(contacts)
    .where(and(eq(contacts.institutionId, request.institutionId), isNull(contacts.removedAt), or(...who)));
  return [...new Set(rows.map((r) => r.email.trim().toLowerCase()))].sort();
}

export async function notifyListener(tx: Tx, event: RequestEvent, deps: ListenerDeps): Promise<void> {
  const audience = audienceFor(event);
  if (!audience) return;
  const emails = await recipientsOf(tx, event.request, audience);
  if (emails.length === 0) return;
  const now = event.ctx.clock.now();
  const added = await tx
    .insert(notifications)
    .values(
      emails.map((recipient) => ({
        requestId: event.request.id,
        eventId: event.eventId,
        template: audience.template,
        recipient,
        createdAt: now,
      })),
    )
    // Unique (event, recipient): an event told twice to the listener writes its rows once.
    .onConflictDoNothing()
    .returning({ id: notifications.id });
  // Without a job runner (some tests, tools) the rows wait for a sender: the sweep, or a call
  // to sendPendingNotifications.
  if (added.length > 0 && deps.jobs) {
    await deps.jobs.sendInTx(
      tx,
      SEND_NOTIFICATIONS,
      { eventId: event.eventId },
      { requestId: event.ctx.requestId },
    );
  }
}

onRequestEvent(notifyListener);
