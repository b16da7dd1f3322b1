import { fixedClock } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTicket, listTickets, setSlaTargets, slaClock, ticketForRequest } from './index.js';
import type { TicketClockRow } from './rules.js';
import { contact, contactActor, emit, institution, minutes, request, staffActor } from './test/fixtures.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const noc = staffActor('jdupont', ['noc']);

describe(`tickets follow request events on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let instId: string;
  let head: Awaited<ReturnType<typeof contact>>;
  beforeAll(async () => {
    database = await freshDatabase();
    instId = (await institution(database, 'Université de Test')).id;
    head = await contact(database, instId, 'Hélène Chef', 'presidence@univ-test.fr', ['head']);
    setSlaTargets('membership.slaProbe', { responseMinutes: 60, resolutionMinutes: 600 });
  });
  afterAll(async () => {
    await database.close();
  });

  const ticketOf = async (requestId: string) => {
    const t = await ticketForRequest(database.db, requestId);
    if (!t) throw new Error('no ticket');
    return t as typeof t & TicketClockRow;
  };

  it("opens one ticket per request on submission, in the kind's queue, with due times from its SLA", async () => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock });
    await emit(database, 'submitted', req, { clock: fixedClock(minutes(T0, 5)) });
    const all = await listTickets(database.db, noc, { search: 'slaProbe' }, T0, undefined, 10);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      queue: 'membership',
      state: 'new',
      kind: 'membership.slaProbe',
      institutionName: 'Université de Test',
      createdAt: T0,
      responseDueAt: minutes(T0, 60),
      resolutionDueAt: minutes(T0, 600),
      responseMinutes: 60,
      resolutionMinutes: 600,
    });
  });

  it('uses the default targets (4 h, 5 days) for a kind nobody described', async () => {
    const req = await request(database, instId, 'ipam.unknownKind', null);
    await emit(database, 'submitted', req, { clock: fixedClock(T0) });
    const t = await ticketOf(req.id);
    expect(t).toMatchObject({
      queue: 'ipam',
      responseDueAt: minutes(T0, 240),
      resolutionDueAt: minutes(T0, 5 * 24 * 60),
    });
  });

  it('pauses while the institution holds the ball and moves both due times by exactly the pause', async () => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock });
    clock.set(minutes(T0, 30));
    await emit(database, 'step_started', req, { clock, step: { name: 'sign', actor: 'head' } });
    expect(await ticketOf(req.id)).toMatchObject({ state: 'waiting', pausedSince: minutes(T0, 30) });

    // Long past both due times, but paused: nothing is late, the ratio is frozen.
    const frozen = slaClock(await ticketOf(req.id), minutes(T0, 700));
    expect(frozen).toMatchObject({
      paused: true,
      responseBreached: false,
      resolutionBreached: false,
      escalation: 'ok',
    });
    expect(frozen.resolutionElapsedRatio).toBeCloseTo(30 / 600);

    clock.set(minutes(T0, 30 + 270));
    // The head signed (not an operator's response); the desk's step begins: the clocks resume.
    await emit(database, 'step_completed', req, {
      clock,
      actor: contactActor(head),
      step: { name: 'sign', actor: 'head' },
    });
    await emit(database, 'step_started', req, { clock, step: { name: 'validate', actor: 'desk' } });
    const t = await ticketOf(req.id);
    expect(t).toMatchObject({
      state: 'new', // nobody at the operator has touched it yet
      pausedSince: null,
      pausedSeconds: 270 * 60,
      firstResponseAt: null,
      responseDueAt: minutes(T0, 60 + 270),
      resolutionDueAt: minutes(T0, 600 + 270),
    });
  });

  it('returned pauses, resubmitted resumes to open once attended, completed resolves', async () => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock });
    clock.set(minutes(T0, 20));
    await emit(database, 'returned', req, { clock, actor: noc, reason: 'SIRET manquant' });
    expect(await ticketOf(req.id)).toMatchObject({ state: 'waiting', firstResponseAt: minutes(T0, 20) });
    clock.set(minutes(T0, 120));
    await emit(database, 'resubmitted', req, { clock, actor: contactActor(head) });
    expect(await ticketOf(req.id)).toMatchObject({ state: 'open', pausedSeconds: 100 * 60 });
    clock.set(minutes(T0, 200));
    await emit(database, 'completed', req, { clock, actor: noc });
    const t = await ticketOf(req.id);
    expect(t).toMatchObject({ state: 'resolved', resolvedAt: minutes(T0, 200) });
    expect(slaClock(t, minutes(T0, 5000))).toMatchObject({ resolutionBreached: false, escalation: 'ok' });
  });

  it.each([
    ['rejected', 'closed'],
    ['cancelled', 'closed'],
    ['failed', 'open'],
  ] as const)('%s leaves the ticket %s', async (type, state) => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock });
    await emit(database, 'step_started', req, { clock, step: { name: 'sign', actor: 'head' } });
    clock.set(minutes(T0, 10));
    await emit(database, type, req, { clock });
    const t = await ticketOf(req.id);
    expect(t.state).toBe(state);
    expect(t.pausedSince).toBeNull();
    expect(t.closedAt).toEqual(state === 'closed' ? minutes(T0, 10) : null);
  });

  it('ignores events that no longer apply instead of failing the engine', async () => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock });
    await emit(database, 'completed', req, { clock });
    await emit(database, 'returned', req, { clock: fixedClock(minutes(T0, 1)) });
    expect((await ticketOf(req.id)).state).toBe('resolved');
    const draft = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'cancelled', draft, { clock }); // never submitted: no ticket
    expect(await ticketForRequest(database.db, draft.id)).toBeNull();
  });

  it("records the operator's first response from staff actions only", async () => {
    const clock = fixedClock(T0);
    const req = await request(database, instId, 'membership.slaProbe', null);
    await emit(database, 'submitted', req, { clock, actor: staffActor('desk', ['desk']) }); // filed on behalf
    await emit(database, 'step_completed', req, {
      clock,
      actor: { kind: 'system', name: 'auto' },
      step: { name: 'check' },
    });
    expect((await ticketOf(req.id)).firstResponseAt).toBeNull();
    clock.set(minutes(T0, 42));
    await emit(database, 'step_completed', req, {
      clock,
      actor: noc,
      step: { name: 'validate', actor: 'noc' },
    });
    expect(await ticketOf(req.id)).toMatchObject({ firstResponseAt: minutes(T0, 42), state: 'open' });
    const view = await getTicket(database.db, noc, (await ticketOf(req.id)).id);
    expect(view && slaClock(view as never, minutes(T0, 61)).responseBreached).toBe(false);
  });
});
