import { fixedClock, newRequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../tables.js';
import {
  listTickets,
  overdueCondition,
  setSlaTargets,
  slaClock,
  takeTicket,
  ticketForRequest,
} from './index.js';
import type { TicketClockRow } from './rules.js';
import { emit, institution, minutes, request, staffActor } from './test/fixtures.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const NOW = minutes(T0, 700);
const noc = staffActor('jdupont', ['noc']);
const KIND = 'routing.overdueProbe';

/**
 * Targets: response 60 min, resolution 600 min; the queue is looked at at T0 + 700 min.
 * Each ticket is one case of the overdue rule (see queries.ts).
 */
describe(`overdue tickets and escalation on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let inst: string;
  const t: Record<string, string> = {};

  async function ticket(name: string, steps: (req: Awaited<ReturnType<typeof request>>) => Promise<void>) {
    const req = await request(database, inst, KIND, null);
    await steps(req);
    t[name] = (await ticketForRequest(database.db, req.id))!.id;
  }
  const at = (m: number) => fixedClock(minutes(T0, m));
  const take = (req: { id: string }, m: number) =>
    ticketForRequest(database.db, req.id).then((x) =>
      takeTicket(database.db, newRequestContext({ actor: noc, clock: at(m) }), x!.id),
    );

  beforeAll(async () => {
    database = await freshDatabase();
    inst = (await institution(database, 'Université Oméga')).id;
    setSlaTargets(KIND, { responseMinutes: 60, resolutionMinutes: 600 });
    // A: answered in time, resolution late.
    await ticket('A', async (r) => {
      await emit(database, 'submitted', r, { clock: at(0) });
      await take(r, 10);
    });
    // B: never answered, response late, resolution in time.
    await ticket('B', (r) => emit(database, 'submitted', r, { clock: at(500) }).then(() => {}));
    // C: 50 of 60 response minutes used: not late, but past 75 %.
    await ticket('C', (r) => emit(database, 'submitted', r, { clock: at(650) }).then(() => {}));
    // D: waiting on the head since minute 30, before any due time: paused, never late.
    await ticket('D', async (r) => {
      await emit(database, 'submitted', r, { clock: at(0) });
      await emit(database, 'step_started', r, { clock: at(30), step: { name: 'sign', actor: 'head' } });
    });
    // E: waiting since minute 100, but the response was already late at minute 60.
    await ticket('E', async (r) => {
      await emit(database, 'submitted', r, { clock: at(0) });
      await emit(database, 'returned', r, { clock: at(100) });
    });
    // F: resolved late: a breach on record, but no longer work to do.
    await ticket('F', async (r) => {
      await emit(database, 'submitted', r, { clock: at(0) });
      await take(r, 5);
      await emit(database, 'completed', r, { clock: at(650) });
    });
    // G: resolution due exactly now: 100 % is not yet a breach.
    await ticket('G', async (r) => {
      await emit(database, 'submitted', r, { clock: at(100) });
      await take(r, 110);
    });
  });
  afterAll(async () => {
    await database.close();
  });

  const names = (rows: { id: string }[]) => rows.map((r) => Object.keys(t).find((k) => t[k] === r.id)).sort();

  it('finds exactly the tickets with a running clock past due', async () => {
    expect(names(await listTickets(database.db, noc, { overdue: true }, NOW, undefined, 100))).toEqual([
      'A',
      'B',
      'E',
    ]);
    expect(names(await listTickets(database.db, noc, { overdue: false }, NOW, undefined, 100))).toEqual([
      'C',
      'D',
      'F',
      'G',
    ]);
  });

  it('shows both clocks and the escalation level (warning at 75 %, breach past 100 %)', async () => {
    const rows = await listTickets(database.db, noc, {}, NOW, undefined, 100);
    const sla = Object.fromEntries(
      rows.map((r) => [names([r])[0], slaClock(r as typeof r & TicketClockRow, NOW)]),
    );
    expect(sla.A).toMatchObject({
      responseBreached: false,
      resolutionBreached: true,
      escalation: 'breached',
    });
    expect(sla.B).toMatchObject({
      responseBreached: true,
      resolutionBreached: false,
      escalation: 'breached',
    });
    expect(sla.C).toMatchObject({ responseBreached: false, escalation: 'warning' });
    expect(sla.C!.responseElapsedRatio).toBeCloseTo(50 / 60);
    expect(sla.D).toMatchObject({ paused: true, pausedSeconds: 670 * 60, escalation: 'ok' });
    expect(sla.E).toMatchObject({
      paused: true,
      responseBreached: true,
      resolutionBreached: false,
      escalation: 'breached',
    });
    expect(sla.F).toMatchObject({ resolutionBreached: true, escalation: 'breached' });
    expect(sla.G).toMatchObject({
      resolutionBreached: false,
      resolutionElapsedRatio: 1,
      escalation: 'warning',
    });
  });

  it('answers the overdue filter from the partial indexes, without reading the table sequentially', async () => {
    const q = database.db.select({ id: tickets.id }).from(tickets).where(overdueCondition(NOW)).toSQL();
    await database.exec('SET enable_seqscan = off');
    try {
      const plan = await database.query<Record<string, string>>(`EXPLAIN ${q.sql}`, q.params);
      const text = plan.map((r) => Object.values(r)[0]).join('\n');
      expect(text).not.toMatch(/Seq Scan/);
      expect(text).toMatch(/workflow_tickets_resolution_due/);
      expect(text).toMatch(/workflow_tickets_response_due/);
    } finally {
      await database.exec('RESET enable_seqscan');
    }
  });
});
