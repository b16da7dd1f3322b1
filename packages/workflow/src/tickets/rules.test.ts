import { InvalidTransitionError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import {
  canApply,
  initialDueTimes,
  nextState,
  plan,
  resumeClock,
  slaClock,
  TICKET_ACTIONS,
  TICKET_STATES,
  type TicketAction,
  type TicketClockRow,
  type TicketState,
} from './rules.js';

// The whole table, written out by hand: a change to rules.ts must change this too.
// `new|open` for resume from waiting: new when nobody attended the ticket, open otherwise.
const EXPECTED: Record<TicketState, Record<TicketAction, TicketState | 'new|open' | null>> = {
  new: {
    take: 'open',
    assign: 'open',
    release: 'new',
    respond: 'open',
    wait: 'waiting',
    resume: 'new',
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  open: {
    take: 'open',
    assign: 'open',
    release: 'open',
    respond: 'open',
    wait: 'waiting',
    resume: 'open',
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  waiting: {
    take: 'waiting',
    assign: 'waiting',
    release: 'waiting',
    respond: 'waiting',
    wait: 'waiting',
    resume: 'new|open',
    resolve: 'resolved',
    close: 'closed',
    fail: 'open',
  },
  resolved: {
    take: null,
    assign: null,
    release: null,
    respond: 'resolved',
    wait: null,
    resume: null,
    resolve: null,
    close: null,
    fail: null,
  },
  closed: {
    take: null,
    assign: null,
    release: null,
    respond: 'closed',
    wait: null,
    resume: null,
    resolve: null,
    close: null,
    fail: null,
  },
};

describe('ticket state machine', () => {
  const pairs = TICKET_STATES.flatMap((s) => TICKET_ACTIONS.map((a) => [s, a] as const));

  it('covers every state × action pair (45)', () => {
    expect(pairs).toHaveLength(45);
  });

  it.each(pairs)('%s + %s', (state, action) => {
    const want = EXPECTED[state][action];
    if (want === null) {
      expect(canApply(state, action)).toBe(false);
      expect(() => nextState(state, action, true)).toThrow(InvalidTransitionError);
      return;
    }
    expect(canApply(state, action)).toBe(true);
    if (want === 'new|open') {
      expect(nextState(state, action, false)).toBe('new');
      expect(nextState(state, action, true)).toBe('open');
    } else {
      expect(nextState(state, action, false)).toBe(want);
      expect(nextState(state, action, true)).toBe(want);
    }
  });
});

const T0 = new Date('2026-03-02T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const targets = { responseMinutes: 240, resolutionMinutes: 1000 };

function ticket(over: Partial<TicketClockRow> = {}): TicketClockRow {
  return {
    state: 'new',
    ownerId: null,
    createdAt: T0,
    ...initialDueTimes(T0, targets),
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    pausedSince: null,
    pausedSeconds: 0,
    ...targets,
    ...over,
  };
}

/** Applies plan() and returns the updated ticket, like the database would hold it. */
const apply = (t: TicketClockRow, actions: TicketAction[], minute: number) => ({
  ...t,
  ...plan(t, actions, at(minute)),
});

describe('SLA clocks', () => {
  it('start at submission with both due times from the targets', () => {
    const s = slaClock(ticket(), at(0));
    expect(s.responseDueAt).toEqual(at(240));
    expect(s.resolutionDueAt).toEqual(at(1000));
    expect(s).toMatchObject({ escalation: 'ok', paused: false, pausedSeconds: 0, resolutionElapsedRatio: 0 });
  });

  it('warn at 75 % and breach past 100 %, for each clock', () => {
    expect(slaClock(ticket(), at(179)).escalation).toBe('ok');
    expect(slaClock(ticket(), at(180)).escalation).toBe('warning'); // 75 % of the 4 h response
    expect(slaClock(ticket(), at(240)).responseBreached).toBe(false);
    const late = slaClock(ticket(), at(241));
    expect(late).toMatchObject({ responseBreached: true, resolutionBreached: false, escalation: 'breached' });
    // Answered in time, the response clock no longer drives escalation: the resolution one does.
    const answered = ticket({ firstResponseAt: at(10), state: 'open' });
    expect(slaClock(answered, at(749)).escalation).toBe('ok');
    expect(slaClock(answered, at(750)).escalation).toBe('warning'); // 75 % of 1000 min
    expect(slaClock(answered, at(750)).resolutionElapsedRatio).toBeCloseTo(0.75);
    expect(slaClock(answered, at(1001))).toMatchObject({ resolutionBreached: true, escalation: 'breached' });
  });

  it('pause while waiting and move both due times by exactly the pause on resume', () => {
    let t = apply(ticket(), ['wait'], 60);
    expect(t).toMatchObject({ state: 'waiting', pausedSince: at(60) });
    const during = slaClock(t, at(500));
    expect(during).toMatchObject({ paused: true, pausedSeconds: 440 * 60, escalation: 'ok' });
    expect(during.resolutionElapsedRatio).toBeCloseTo(60 / 1000); // frozen at the pause
    t = apply(t, ['resume'], 560);
    expect(t).toMatchObject({ state: 'new', pausedSince: null, pausedSeconds: 500 * 60 });
    expect(t.responseDueAt).toEqual(at(240 + 500));
    expect(t.resolutionDueAt).toEqual(at(1000 + 500));
    expect(slaClock(t, at(560)).resolutionElapsedRatio).toBeCloseTo(60 / 1000);
  });

  it('resumes to open when the ticket was attended, to new otherwise', () => {
    expect(apply(apply(ticket({ ownerId: 'x', state: 'open' }), ['wait'], 1), ['resume'], 2).state).toBe(
      'open',
    );
    expect(apply(apply(ticket(), ['wait'], 1), ['resume'], 2).state).toBe('new');
  });

  it('keeps a late response late: pauses after the answer do not move its due time', () => {
    let t = apply(ticket(), ['respond'], 300); // answered 1 h late
    t = apply(apply(t, ['wait'], 310), ['resume'], 2000);
    expect(t.responseDueAt).toEqual(at(240));
    expect(slaClock(t, at(2000)).responseBreached).toBe(true);
  });

  it('counts a pause before an answer given during it only up to the answer', () => {
    let t = apply(ticket(), ['wait'], 100);
    t = { ...t, firstResponseAt: at(130) }; // an institution-visible comment while waiting
    t = apply(t, ['resume'], 400);
    expect(t.responseDueAt).toEqual(at(240 + 30));
    expect(slaClock(t, at(400)).responseElapsedRatio).toBeCloseTo(100 / 240);
  });

  it('stops the clocks at resolution and closing, ending a running pause first', () => {
    const resolved = apply(apply(ticket(), ['wait'], 100), ['resolve'], 400);
    expect(resolved).toMatchObject({
      state: 'resolved',
      resolvedAt: at(400),
      pausedSince: null,
      pausedSeconds: 300 * 60,
    });
    expect(slaClock(resolved, at(9999)).resolutionElapsedRatio).toBeCloseTo(100 / 1000);
    const closed = apply(ticket(), ['close'], 2000);
    expect(slaClock(closed, at(9999))).toMatchObject({ resolutionBreached: true, escalation: 'breached' });
  });

  it('makes take and respond the first response, not assign', () => {
    expect(apply(ticket(), ['take'], 5).firstResponseAt).toEqual(at(5));
    expect(apply(ticket(), ['assign'], 5).firstResponseAt).toBeNull();
    expect(apply(ticket({ firstResponseAt: at(1) }), ['respond'], 5).firstResponseAt).toEqual(at(1));
  });

  it('returns nothing to write when nothing changes', () => {
    expect(plan(ticket({ state: 'open' }), ['resume'], at(3))).toEqual({});
    expect(resumeClock(ticket(), at(3))).toBeNull();
  });
});
