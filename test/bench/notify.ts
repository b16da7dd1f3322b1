import { createLogger, loadConfig, systemContext } from '@guichet/core';
import { type Database, eq, sql } from '@guichet/db';
import { createJobRunner } from '@guichet/jobs';
import { institutions, seedDemoMembership } from '@guichet/membership';
import { startSmtpSink } from '@guichet/testkit';
import { notifications, notifyJobs, requestEvents, requests, SEND_NOTIFICATIONS } from '@guichet/workflow';
import nodemailer from 'nodemailer';
import { childEntry, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { fmt, table } from './util.js';

/*
 * Section "notify" of `pnpm bench` (issue #21, item 7: server-mode notifications drained at
 * ~30 a minute). EVENTS request events, each with RECIPIENTS pending notification rows and its
 * send job queued, as the listener leaves them; then a job runner with the worker's settings
 * (services/worker: default polling, default concurrency) drains them into a real SMTP server on
 * loopback (testkit's sink). Baseline: the same number of messages of the same size handed by
 * a plain nodemailer pool (4 connections) to the same sink, no database. Ratio = Guichet's
 * drain time / the baseline's: what the queue, the claims and the bookkeeping cost per mail.
 * PostgreSQL when one answers (child-db.ts), else PGlite. BENCH_NOTIFY=0 skips it (run.ts).
 */

const EVENTS = Number(process.env.BENCH_NOTIFY_EVENTS ?? 150);
const RECIPIENTS = 3;

export function notifySection(adminUrl?: string): Promise<LoadReport> {
  return runChildSection('test/bench/notify.ts', adminUrl, { reportTimeoutMs: 600_000 });
}

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const sink = await startSmtpSink();
  const logger = createLogger('silent');
  try {
    await seedDemoMembership(database, systemContext('bench'));
    const [inst] = await database.db.select({ id: institutions.id }).from(institutions).limit(1);
    const config = loadConfig({ SMTP_URL: sink.url, MAIL_FROM: 'Guichet <guichet@bench.test>' });
    const definitions = notifyJobs({ database, config, sweepCron: null });

    // The state the listener leaves: rows pending, one send job per event.
    const enqueuer = createJobRunner(database, { definitions, logger });
    await enqueuer.start({ work: false });
    for (let e = 0; e < EVENTS; e++) {
      const [req] = await database.db
        .insert(requests)
        .values({
          kind: 'membership.contactChange',
          institutionId: inst!.id,
          requester: 'staff:bench',
          payload: {},
          status: 'in_progress',
        })
        .returning({ id: requests.id });
      const [ev] = await database.db
        .insert(requestEvents)
        .values({
          requestId: req!.id,
          at: new Date(),
          actor: 'bench',
          httpRequestId: `bench-${e}`,
          type: 'submitted',
          toStatus: 'in_progress',
        })
        .returning({ id: requestEvents.id });
      await database.db.insert(notifications).values(
        Array.from({ length: RECIPIENTS }, (_, k) => ({
          requestId: req!.id,
          eventId: ev!.id,
          template: 'received',
          recipient: `bench-${e}-${k}@example.fr`,
          createdAt: new Date(),
        })),
      );
      await enqueuer.send(SEND_NOTIFICATIONS, { eventId: ev!.id });
    }
    await enqueuer.stop();
    const total = EVENTS * RECIPIENTS;

    const t0 = performance.now();
    const worker = createJobRunner(database, { definitions, logger });
    await worker.start();
    const sent = async () =>
      Number(
        (
          await database.db
            .select({ n: sql<number>`count(*)::int` })
            .from(notifications)
            .where(eq(notifications.status, 'sent'))
        )[0]!.n,
      );
    const deadline = Date.now() + 540_000;
    let n = await sent();
    while (n < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      n = await sent();
    }
    const guichetS = (performance.now() - t0) / 1000;
    await worker.stop();
    const failures: string[] = [];
    if (n < total) failures.push(`notify: only ${n} of ${total} notifications sent in ${fmt(guichetS)} s`);
    const ids = sink.messages.map((m) => m.headers['message-id']);
    if (new Set(ids).size !== ids.length) failures.push('notify: a notification was sent twice');

    // Baseline: the same messages, no queue and no database.
    const sample = sink.messages[0];
    const before = sink.messages.length;
    const transport = nodemailer.createTransport({ pool: true, maxConnections: 4, url: sink.url } as never);
    const b0 = performance.now();
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        transport.sendMail({
          from: config.MAIL_FROM,
          to: `baseline-${i}@example.fr`,
          subject: sample?.subject ?? 'x',
          text: sample?.text ?? 'x',
        }),
      ),
    );
    const rawS = (performance.now() - b0) / 1000;
    transport.close();
    if (sink.messages.length - before !== total) failures.push('notify: the baseline lost messages');

    const perMinute = (s: number) => (total / s) * 60;
    const text = [
      `## notify — ${EVENTS} events × ${RECIPIENTS} recipients = ${total} emails to an SMTP server on loopback, on ${engine}`,
      table(
        ['sender', 'seconds', 'emails/min'],
        [
          ['Guichet job runner (worker settings)', fmt(guichetS), fmt(perMinute(guichetS), 0)],
          ['nodemailer pool, no database (baseline)', fmt(rawS), fmt(perMinute(rawS), 0)],
        ],
      ),
    ].join('\n');
    return { text, ratios: [['notify drain time / bare SMTP send time', guichetS / rawS]], failures };
  } finally {
    await sink.stop();
  }
}

childEntry(import.meta.url, { name: 'notify', max: 10, measure });
