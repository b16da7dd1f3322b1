import { ForbiddenError, InvalidTransitionError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  findTransition,
  isTerminal,
  PARTIES,
  type Party,
  type RequestStatus,
  STATUSES,
  STEP_TYPES,
  TERMINAL_STATUSES,
  TRANSITIONS,
} from './rules.js';
import { REQUEST_STATUSES } from './tables.js';

// The table, written out a second time on purpose: a change to rules.ts must be made here too.
const EXPECTED: Record<string, readonly Party[]> = {
  'draft→draft': ['filer'],
  'draft→in_progress': ['filer'],
  'draft→cancelled': ['filer'],
  'in_progress→in_progress': ['stepActor', 'engine'],
  'in_progress→returned': ['stepActor', 'desk', 'noc', 'engine'],
  'in_progress→rejected': ['stepActor', 'desk', 'noc'],
  'in_progress→completed': ['engine'],
  'in_progress→failed': ['engine'],
  'in_progress→cancelled': ['filer'],
  'returned→returned': ['filer'],
  'returned→in_progress': ['filer'],
  'returned→cancelled': ['filer'],
  'failed→in_progress': ['noc'],
  'failed→rejected': ['noc'],
};

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as [RequestStatus, RequestStatus]));

describe('request transition table', () => {
  it('uses exactly the statuses the database accepts', () => {
    expect([...STATUSES].sort()).toEqual([...REQUEST_STATUSES].sort());
  });

  it('has one row per (from, to) pair and exactly the expected rows', () => {
    const keys = TRANSITIONS.map((t) => `${t.from}→${t.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.fromEntries(TRANSITIONS.map((t) => [`${t.from}→${t.to}`, t.by]))).toEqual(EXPECTED);
  });

  it('leaves no terminal status', () => {
    expect(TERMINAL_STATUSES).toEqual(['completed', 'rejected', 'cancelled']);
    for (const t of TRANSITIONS) expect(isTerminal(t.from)).toBe(false);
  });

  // Every one of the 49 pairs, with every party at once and every pending step type.
  it.each(pairs)('%s → %s: allowed exactly when the table says so', (from, to) => {
    const allowed = EXPECTED[`${from}→${to}`];
    for (const pendingStepType of [...STEP_TYPES, null]) {
      const run = () => assertTransition(from, to, { parties: PARTIES, pendingStepType });
      const guardFails = from === 'in_progress' && to === 'cancelled' && pendingStepType !== 'human';
      if (allowed && !guardFails) expect(run().to).toBe(to);
      else expect(run).toThrow(InvalidTransitionError);
    }
  });

  // For the allowed pairs: each listed party alone succeeds, every other party alone is refused.
  it.each(pairs.filter(([f, t]) => EXPECTED[`${f}→${t}`]))('%s → %s: only the listed parties', (from, to) => {
    const allowed = EXPECTED[`${from}→${to}`]!;
    for (const party of PARTIES) {
      const run = () => assertTransition(from, to, { parties: [party], pendingStepType: 'human' });
      if (allowed.includes(party)) expect(run().from).toBe(from);
      else expect(run).toThrow(ForbiddenError);
    }
    expect(() => assertTransition(from, to, { parties: [], pendingStepType: 'human' })).toThrow(
      ForbiddenError,
    );
  });

  // Naming the action: the right one passes, any other is an invalid move (not a refusal).
  it.each(TRANSITIONS.map((t) => [t.from, t.to, t.action] as const))(
    '%s → %s is "%s" only',
    (from, to, action) => {
      const check = { parties: PARTIES, pendingStepType: 'human' as const };
      expect(assertTransition(from, to, { ...check, action }).action).toBe(action);
      for (const other of new Set(TRANSITIONS.map((t) => t.action))) {
        if (other !== action)
          expect(() => assertTransition(from, to, { ...check, action: other })).toThrow(
            InvalidTransitionError,
          );
      }
    },
  );

  it('names the move in the error', () => {
    expect(() => assertTransition('completed', 'in_progress', { parties: PARTIES })).toThrow(
      'Request cannot go from completed to in_progress',
    );
  });

  it('lets the filer cancel a running request only while a person has to act', () => {
    const check = (pendingStepType: 'human' | 'external' | 'automatic') =>
      assertTransition('in_progress', 'cancelled', { parties: ['filer'], pendingStepType });
    expect(check('human').action).toBe('cancel');
    expect(() => check('external')).toThrow(InvalidTransitionError);
    expect(() => check('automatic')).toThrow(InvalidTransitionError);
    expect(findTransition('in_progress', 'cancelled')?.guard).toBe('humanStepWaiting');
  });
});
