import { type Config, createLogger, fixedClock, loadConfig, newRequestContext } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contacts } from '@guichet/membership';
import { freshDatabase, type SinkMessage, type SmtpSink, startSmtpSink } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf } from '../requests/test/fixtures.js';
import { notifications } from '../tables.js';
import { contact, emit, institution, request, staffActor } from '../tickets/test/fixtures.js';
import {
  listNotifications,
  NO_SMTP,
  notifyJobs,
  retryNotifications,
  SEND_NOTIFICATIONS,
  sendPendingNotifications,
} from './index.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const clock = fixedClock(T0);
const logger = createLogger('silent');
const noc = staffActor('jdupont', ['noc']);
const KIND = 'membership.agreementChange';

/** Polls the database (the job runs in the background) until `check` holds. */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`notifications through a real SMTP server on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let sink: SmtpSink;
  let config: Config;
  let runner: JobRunner;
  let inst: string;
  let requester: Awaited<ReturnType<typeof contact>>;

  const rowsOf = (eventId: number) =>
    database.db.select().from(notifications).where(eq(notifications.eventId, eventId));
  const to = (m: SinkMessage[], x: string) => m.filter((msg) => msg.to.includes(x));
  const pending = (eventId: number) => sendPendingNotifications(database, config, eventId, { clock });

  beforeAll(async () => {
    database = await freshDatabase();
    sink = await startSmtpSink({ rejectRecipients: ['gone@univ-notif.fr'] });
    config = loadConfig({
      SMTP_URL: sink.url,
      MAIL_FROM: 'Guichet <guichet@renater-example.fr>',
      PUBLIC_URL: 'https://guichet.renater-example.fr/',
    });
    runner = createJobRunner(database, {
      definitions: notifyJobs({ database, config, sweepCron: null, retryLimit: 3, retryDelaySeconds: 1 }),
      logger,
      pollingIntervalSeconds: 0.5,
    });
    await runner.start();
    inst = (await institution(database, 'Université de Notif')).id;
    // The requester is also a technical contact, and spelled in capitals: one email all the same.
    requester = await contact(database, inst, 'Rémi Demandeur', 'Remi@Univ-Notif.fr', ['technical']);
    await contact(database, inst, 'Tina Tech', 'tina@univ-notif.fr', ['technical']);
    await contact(database, inst, 'Hélène Chef', 'presidence@univ-notif.fr', ['head']);
    await contact(database, inst, 'Sam Sécu', 'rssi@univ-notif.fr', ['security']);
    await contact(database, inst, 'Ancien Tech', 'ancien@univ-notif.fr', ['technical'], { removed: true });
    const other = (await institution(database, 'Autre Université')).id;
    await contact(database, other, 'Autre Tech', 'tech@autre.fr', ['technical']);
  });
  afterAll(async () => {
    await runner.stop();
    await sink.stop();
    await database.close();
  });

  it('received: the requester and the technical contacts, each once, with the request link', async () => {
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'submitted', req, { clock, actor: noc, jobs: runner });
    const all = await sink.waitFor(
      (m) => to(m, 'tina@univ-notif.fr').length > 0 && to(m, 'remi@univ-notif.fr').length > 0,
    );
    const mine = all.filter((m) => m.headers['x-guichet-request'] === req.id);
    expect(mine.flatMap((m) => m.to).sort()).toEqual(['remi@univ-notif.fr', 'tina@univ-notif.fr']);
    const mail = mine[0]!;
    expect(mail.from).toBe('guichet@renater-example.fr');
    expect(mail.subject).toBe(`[Guichet] Demande reçue / Request received — ${KIND} (Université de Notif)`);
    expect(mail.text).toContain(`https://guichet.renater-example.fr/requests/${req.id}`);
    expect(mail.text).toContain(`Demande : ${req.id}`);
    expect(mail.text).toContain('Status: in_progress');
    expect(mail.headers.references).toBe(`<request.${req.id}@renater-example.fr>`);
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    const rows = await until(
      () => rowsOf(eventId),
      (r) => r.every((x) => x.status === 'sent'),
    );
    expect(rows.map((r) => r.messageId).sort()).toEqual(mine.map((m) => m.messageId).sort());
    expect(rows.every((r) => r.template === 'received' && r.sentAt !== null)).toBe(true);
  });

  it('signature_needed goes to the head only; returned carries the reason', async () => {
    const req = await request(database, inst, KIND, requester.id);
    await emit(database, 'step_started', req, { clock, step: { name: 'sign', actor: 'head' }, jobs: runner });
    await emit(database, 'step_started', req, {
      clock,
      step: { name: 'validate', actor: 'desk' },
      jobs: runner,
    });
    await emit(database, 'returned', req, {
      clock,
      actor: noc,
      reason: 'Le SIRET ne correspond pas.',
      jobs: runner,
    });
    const all = await sink.waitFor(
      (m) => m.filter((x) => x.headers['x-guichet-request'] === req.id).length === 3,
    );
    const mine = all.filter((m) => m.headers['x-guichet-request'] === req.id);
    const signature = mine.filter((m) => m.headers['x-guichet-template'] === 'signature_needed');
    expect(signature.flatMap((m) => m.to)).toEqual(['presidence@univ-notif.fr']);
    expect(signature[0]!.subject).toContain('Signature requise / Signature needed');
    const returned = mine.filter((m) => m.headers['x-guichet-template'] === 'returned');
    expect(returned.flatMap((m) => m.to).sort()).toEqual(['remi@univ-notif.fr', 'tina@univ-notif.fr']);
    expect(returned[0]!.text).toContain('Motif : Le SIRET ne correspond pas.');
    expect(returned[0]!.text).toContain('Reason: Le SIRET ne correspond pas.');
    // The desk's step told nobody: three rows in all.
    expect((await listNotifications(database.db, req.id)).map((r) => r.template).sort()).toEqual([
      'returned',
      'returned',
      'signature_needed',
    ]);
  });

  it('sends each email once, however many times the job runs', async () => {
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'completed', req, { clock, actor: noc, jobs: runner });
    await until(
      () => rowsOf(eventId),
      (r) => r.length === 2 && r.every((x) => x.status === 'sent'),
    );
    await runner.send(SEND_NOTIFICATIONS, { eventId });
    await runner.send(SEND_NOTIFICATIONS, { eventId });
    expect(await pending(eventId)).toMatchObject({ sent: 0, retry: 0 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.messages.filter((m) => m.headers['x-guichet-request'] === req.id)).toHaveLength(2);
  });

  it('without a job runner, records the rows; a direct call sends them; a 550 fails that row only', async () => {
    const { id: gone } = await contact(database, inst, 'Parti', 'gone@univ-notif.fr', ['technical']);
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'rejected', req, { clock, actor: noc, reason: 'Hors périmètre.' });
    expect((await rowsOf(eventId)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    expect(await pending(eventId)).toMatchObject({ sent: 2, failed: 1, retry: 0 });
    const byRecipient = Object.fromEntries((await rowsOf(eventId)).map((r) => [r.recipient, r]));
    expect(byRecipient['gone@univ-notif.fr']).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/550/),
    });
    const mail = sink.messages.find((m) => m.headers['x-guichet-request'] === req.id)!;
    expect(mail.subject).toContain('Demande refusée / Request rejected');
    expect(mail.text).toContain('Hors périmètre.');
    // Gone for good: the next events no longer name them.
    await database.db.update(contacts).set({ removedAt: new Date() }).where(eq(contacts.id, gone));
  });

  it('two senders at once still send each email once (rows are claimed before the relay is called)', async () => {
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'completed', req, { clock, actor: noc });
    const [x, y] = await Promise.all([pending(eventId), pending(eventId)]);
    expect(x!.sent + y!.sent).toBe(2);
    await sink.waitFor((m) => m.filter((v) => v.headers['x-guichet-request'] === req.id).length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.filter((m) => m.headers['x-guichet-request'] === req.id)).toHaveLength(2);
  });

  it('the sweep sends rows nobody enqueued a job for, once they are two minutes old', async () => {
    const req = await request(database, inst, KIND, requester.id);
    await emit(database, 'completed', req, { clock, actor: noc });
    const sweepAt = (m: number) =>
      notifyJobs({ database, config, clock: fixedClock(new Date(T0.getTime() + m * 60_000)) })[1]!;
    await sweepAt(1).handler({}, { logger } as never);
    expect((await listNotifications(database.db, req.id)).map((r) => r.status)).toEqual([
      'pending',
      'pending',
    ]);
    await sweepAt(3).handler({}, { logger } as never);
    expect((await listNotifications(database.db, req.id)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('without SMTP_URL, keeps the rows pending with the reason, and the job completes', async () => {
    const noSmtp = loadConfig({});
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'completed', req, { clock, actor: noc });
    expect(await sendPendingNotifications(database, noSmtp, eventId, { logger })).toMatchObject({
      sent: 0,
      retry: 0,
    });
    const [handler] = notifyJobs({ database, config: noSmtp, sweepCron: null });
    await handler!.handler({ eventId }, { logger, isLastAttempt: false } as never);
    expect((await rowsOf(eventId)).map((r) => [r.status, r.lastError])).toEqual([
      ['pending', NO_SMTP],
      ['pending', NO_SMTP],
    ]);
  });

  it('survives an SMTP outage: rows stay pending with the error, and go out when the relay is back', async () => {
    await sink.stop();
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'submitted', req, { clock, actor: noc, jobs: runner });
    const failed = await until(
      () => rowsOf(eventId),
      (r) => r.length === 2 && r.every((x) => x.lastError !== null),
    );
    expect(failed.every((r) => r.status === 'pending')).toBe(true);
    expect(failed[0]!.lastError).toMatch(/ECONNREFUSED|connect/i);
    const old = sink;
    sink = await startSmtpSink({ port: old.port });
    await sink.waitFor(
      (m) => m.filter((x) => x.headers['x-guichet-request'] === req.id).length === 2,
      20_000,
    );
    const sent = await until(
      () => rowsOf(eventId),
      (r) => r.every((x) => x.status === 'sent'),
    );
    // The failure stays on record beside the success, as jobs do.
    expect(sent.every((r) => r.lastError !== null && r.messageId !== null)).toBe(true);
  });

  it('out of retries: failed with the error; retryNotifications sends them once the relay is back', async () => {
    const req = await request(database, inst, KIND, requester.id);
    const eventId = await emit(database, 'completed', req, { clock, actor: noc });
    const down = { ...config, SMTP_URL: 'smtp://127.0.0.1:9' };
    const out = await sendPendingNotifications(database, down, eventId, { isLastAttempt: true, clock });
    expect(out).toMatchObject({ sent: 0, failed: 2, retry: 0 });
    expect((await listNotifications(database.db, req.id)).map((r) => r.status)).toEqual(['failed', 'failed']);
    const again = await retryNotifications(
      database.db,
      newRequestContext({ actor: noc, clock }),
      envOf(database, runner),
      req.id,
    );
    expect(again).toHaveLength(2);
    await sink.waitFor((m) => m.filter((x) => x.headers['x-guichet-request'] === req.id).length === 2);
    await until(
      () => listNotifications(database.db, req.id),
      (r) => r.every((x) => x.status === 'sent'),
    );
  });
});
