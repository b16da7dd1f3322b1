import type { Clock, Config, Logger } from '@guichet/core';
import { systemClock } from '@guichet/core';
import { and, type Database, type DbOrTx, eq, gte, isNull, lt, or } from '@guichet/db';
import { institutions } from '@guichet/membership';
import { getKind } from '../kinds.js';
import { notifications, requestEvents, requests } from '../tables.js';
import { kindTitle } from '../tickets/targets.js';
import { type MailData, mailDomain, requestLink, subjectOf, type Template, textOf } from './templates.js';

/**
 * Sends an event's pending notifications. At least once, as every job: a row is claimed
 * (`claimed_until`) before the relay is contacted and marked `sent` right after, so a rerun —
 * a retry, a second job, the sweep — never sends a row already sent, and two senders never
 * send the same row; only a crash between the relay's 250 and the update can repeat one email.
 */

export const NO_SMTP = 'SMTP_URL is not set';

/** SMTP connections one sender keeps open to the relay (each job has its own pool). */
export const SEND_CONNECTIONS = 4;

export type NotificationRow = typeof notifications.$inferSelect;

export interface SendOptions {
  logger?: Logger;
  /** The job's last attempt: a failure now is final (`failed`), not `pending`. */
  isLastAttempt?: boolean;
  clock?: Clock;
  /** How long a claim holds (default 5 min: above the relay timeouts of one run). */
  claimSeconds?: number;
}

export interface SendOutcome {
  sent: number;
  /** Marked `failed`: refused for good by the relay (5xx), or out of retries. */
  failed: number;
  /** Left `pending` after a transient failure: worth retrying. */
  retry: number;
  lastError: string | null;
}

let warnedNoSmtp = false;

export async function sendPendingNotifications(
  database: Database,
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_URL'>,
  eventId: number,
  opts: SendOptions = {},
): Promise<SendOutcome> {
  const db = database.db;
  const clock = opts.clock ?? systemClock;
  const pendingOf = and(eq(notifications.eventId, eventId), eq(notifications.status, 'pending'));
  const outcome: SendOutcome = { sent: 0, failed: 0, retry: 0, lastError: null };
  if (!config.SMTP_URL) {
    // Recorded, not sent: once a relay is configured, the sweep sends them.
    const rows = await db
      .update(notifications)
      .set({ lastError: NO_SMTP })
      .where(pendingOf)
      .returning({ id: notifications.id });
    if (rows.length && !warnedNoSmtp) {
      warnedNoSmtp = true;
      opts.logger?.warn('SMTP_URL is not set: notifications are recorded but not sent');
    }
    return outcome;
  }
  const now = clock.now();
  const claimed = await db
    .update(notifications)
    .set({ claimedUntil: new Date(now.getTime() + (opts.claimSeconds ?? 300) * 1000) })
    .where(and(pendingOf, or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, now))))
    .returning();
  const first = claimed[0];
  if (!first) return outcome;
  const data = await mailData(db, first, config.PUBLIC_URL);
  const domain = mailDomain(config.MAIL_FROM);
  // Timeouts below the job's expiry; the URL's own settings (query string) win. Pooled: an
  // unpooled transport opens (and TLS-negotiates) a connection per message; the pool keeps up
  // to SEND_CONNECTIONS open for this event's messages, which are handed to it all at once.
  // Loaded with the first message, not at start (part of the cold start, issue #10).
  const [{ default: nodemailer }, { parseConnectionUrl }] = await Promise.all([
    import('nodemailer'),
    import('nodemailer/lib/shared/index.js'),
  ]);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: SEND_CONNECTIONS,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...parseConnectionUrl(config.SMTP_URL),
  });
  try {
    await Promise.all(
      claimed.map(async (row) => {
        const mine = and(eq(notifications.id, row.id), eq(notifications.status, 'pending'));
        try {
          const info = await transport.sendMail({
            from: config.MAIL_FROM,
            to: row.recipient,
            subject: subjectOf(data),
            text: textOf(data),
            messageId: `<notification.${row.id}@${domain}>`,
            // Every email about a request names one root, so mail clients thread them.
            references: `<request.${data.requestId}@${domain}>`,
            headers: {
              'X-Guichet-Request': data.requestId,
              'X-Guichet-Template': data.template,
              // RFC 3834: out-of-office robots must not answer.
              'Auto-Submitted': 'auto-generated',
            },
          });
          await db
            .update(notifications)
            .set({ status: 'sent', messageId: info.messageId, sentAt: clock.now(), claimedUntil: null })
            .where(mine);
          outcome.sent++;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          const code = (err as { responseCode?: number }).responseCode ?? 0;
          const final = (code >= 500 && code < 600) || opts.isLastAttempt === true;
          await db
            .update(notifications)
            .set({
              lastError: message.slice(0, 1000),
              claimedUntil: null,
              ...(final ? { status: 'failed' } : {}),
            })
            .where(mine);
          outcome.lastError = message;
          if (final) outcome.failed++;
          else outcome.retry++;
          opts.logger?.warn({ err, eventId, recipient: row.recipient, final }, 'notification not sent');
        }
      }),
    );
  } finally {
    transport.close();
  }
  return outcome;
}

/** What the email says, from the event (its status and reason at the time) and the request. */
async function mailData(db: DbOrTx, row: NotificationRow, publicUrl: string | undefined): Promise<MailData> {
  const [r] = await db
    .select({ request: requests, institutionName: institutions.name })
    .from(requests)
    .innerJoin(institutions, eq(institutions.id, requests.institutionId))
    .where(eq(requests.id, row.requestId));
  if (!r) throw new Error(`request ${row.requestId} of notification ${row.id} not found`);
  const [ev] = await db.select().from(requestEvents).where(eq(requestEvents.id, row.eventId));
  const template = row.template as Template;
  const withReason = template === 'returned' || template === 'rejected';
  const summary = getKind(r.request.kind)?.summary?.(r.request.payload) ?? null;
  return {
    template,
    requestId: r.request.id,
    kind: r.request.kind,
    kindTitle: kindTitle(r.request.kind),
    institutionName: r.institutionName,
    status: ev?.toStatus ?? r.request.status,
    reason: withReason ? (ev?.note ?? r.request.reason ?? null) : null,
    summary,
    link: requestLink(publicUrl, r.request.id),
  };
}

/**
 * Events with rows still to send, oldest first: the sweep's work list. Rows younger than two
 * minutes are left to their own event's job; rows older than `sinceHours` are stale news that
 * an operator resends on purpose (retryNotifications) rather than a sweep by surprise.
 */
export async function eventsWithPending(
  db: DbOrTx,
  now: Date,
  sinceHours: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectDistinct({ eventId: notifications.eventId })
    .from(notifications)
    .where(
      and(
        eq(notifications.status, 'pending'),
        or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, now)),
        lt(notifications.createdAt, new Date(now.getTime() - 2 * 60_000)),
        gte(notifications.createdAt, new Date(now.getTime() - sinceHours * 3600_000)),
      ),
    )
    .orderBy(notifications.eventId)
    .limit(limit);
  return rows.map((r) => r.eventId);
}
