import { ConflictError, InvalidTransitionError } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnStep } from './act.js';
import { requestHistory } from './queries.js';
import { fileRequest } from './service.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';
import { registerTestKinds } from './test/kinds.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const desks = [staff('dora', ['desk']), staff('dan', ['desk']), staff('ada', ['admin'])];

/**
 * On PostgreSQL the actions really overlap (a pool of 8 connections): the row lock taken first
 * in each transaction is what keeps a step from being approved twice. On PGlite (one
 * connection) they queue; the outcome must be the same.
 */
describe(`concurrent actions on one request (${engine})`, () => {
  let database: Database;
  let a: InstitutionFixture;

  beforeAll(async () => {
    registerTestKinds();
    database = await freshDatabase();
    a = await seedInstitution(database, 'ALPHA');
  });
  afterAll(async () => {
    await database?.close();
  });

  const file = () =>
    fileRequest(database.db, as(a.technical), envOf(database), {
      kind: 'test.flow',
      institutionId: a.id,
      payload: { label: 'c', size: 1 },
    });

  it.each([2, 3])('%i approvals of the same step at once: exactly one advances the request', async (n) => {
    for (let round = 0; round < 5; round++) {
      const req = await file();
      const results = await Promise.allSettled(
        desks.slice(0, n).map((d) =>
          actOnStep(database.db, as(d), envOf(database), {
            requestId: req.id,
            step: 'review',
            decision: 'approve',
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(n - 1);
      for (const e of refused)
        expect(e instanceof ConflictError || e instanceof InvalidTransitionError).toBe(true);
      const completed = (await requestHistory(database.db, req.id)).filter(
        (e) => e.type === 'step_completed' && e.step === 'review',
      );
      expect(completed).toHaveLength(1);
      const runs = await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM workflow_step_runs WHERE request_id = $1 AND step = 'sign'`,
        [req.id],
      );
      expect(runs[0]!.n).toBe(1);
    }
  });

  it('an approval racing a return: one wins, the other is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const req = await file();
      const results = await Promise.allSettled([
        actOnStep(database.db, as(desks[0]!), envOf(database), {
          requestId: req.id,
          step: 'review',
          decision: 'approve',
        }),
        actOnStep(database.db, as(desks[1]!), envOf(database), {
          requestId: req.id,
          step: 'review',
          decision: 'return',
          reason: 'incomplete',
        }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [e] = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      expect(e instanceof ConflictError || e instanceof InvalidTransitionError).toBe(true);
    }
  });
});
