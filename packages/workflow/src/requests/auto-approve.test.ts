import { and, type Database, eq, sql } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getKind, registerKind } from '../kinds.js';
import { requests } from '../tables.js';
import { actOnStep } from './act.js';
import { requestHistory, requestSteps } from './queries.js';
import { fileRequest } from './service.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';

/**
 * `HumanStep.autoApprove`: a policy approves the step when it is reached (small requests,
 * and only while the institution has no other approved one — checked in SQL in the tx).
 */
const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const desk = staff('dora', ['desk']);

function registerAutoKind(): void {
  if (getKind('test.auto')) return;
  registerKind<{ size: number }>({
    kind: 'test.auto',
    queue: 'test',
    title: 'Test auto-approval',
    description: 'A desk step that a policy may approve by itself.',
    schema: z.object({ size: z.number().int().positive() }),
    steps: [
      {
        name: 'measure',
        type: 'automatic',
        description: 'Measures.',
        run: async (_tx, { payload }) => ({ small: payload.size <= 2 }),
      },
      {
        name: 'review',
        type: 'human',
        actor: 'desk',
        description: 'The desk reviews, unless the policy does.',
        autoApprove: async (tx, { request, outputs }) => {
          if (outputs.measure?.small !== true) return false;
          const [row] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(requests)
            .where(
              and(
                eq(requests.institutionId, request.institutionId),
                eq(requests.kind, 'test.auto'),
                eq(requests.status, 'completed'),
              ),
            );
          return Number(row?.n) === 0 ? 'small, and the first one' : false;
        },
        run: async (_tx, { ctx }) => ({ by: ctx.actor.kind === 'system' ? ctx.actor.name : ctx.actor.kind }),
      },
    ],
    sla: { responseMinutes: 60, resolutionMinutes: 600 },
  });
}

describe(`auto-approval of human steps on ${engine}`, () => {
  let database: Database;
  let a: InstitutionFixture;
  const file = (size: number) =>
    fileRequest(database.db, as(a.technical), envOf(database), {
      kind: 'test.auto',
      institutionId: a.id,
      payload: { size },
    });

  beforeAll(async () => {
    registerAutoKind();
    database = await freshDatabase();
    a = await seedInstitution(database, 'AUTO');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('a standard case approves itself, recorded as system:policy with the reason', async () => {
    const req = await file(1);
    expect(req).toMatchObject({ status: 'completed', currentStep: null });
    const history = await requestHistory(database.db, req.id);
    expect(history.map((e) => [e.type, e.step, e.actor])).toEqual([
      ['filed', null, `contact:${a.contactIds.technical}`],
      ['submitted', null, `contact:${a.contactIds.technical}`],
      ['step_completed', 'measure', `contact:${a.contactIds.technical}`],
      ['step_completed', 'review', 'system:policy'],
      ['completed', null, `contact:${a.contactIds.technical}`],
    ]);
    const review = history.find((e) => e.step === 'review')!;
    expect(review.note).toBe('small, and the first one');
    expect(review.data).toEqual({
      pass: 1,
      output: { by: 'policy' },
      autoApproved: 'small, and the first one',
    });
    const steps = await requestSteps(database.db, req);
    expect(steps.find((s) => s.name === 'review')).toMatchObject({ state: 'done', actedBy: 'system:policy' });
  });

  it('otherwise the step waits for its person (the policy reads the database in the tx)', async () => {
    const again = await file(1);
    expect(again).toMatchObject({ status: 'in_progress', currentStep: 'review' });
    const big = await file(5);
    expect(big).toMatchObject({ status: 'in_progress', currentStep: 'review' });
    const done = await actOnStep(database.db, as(desk), envOf(database), {
      requestId: big.id,
      step: 'review',
      decision: 'approve',
    });
    expect(done.status).toBe('completed');
    const history = await requestHistory(database.db, big.id);
    expect(history.find((e) => e.type === 'step_completed' && e.step === 'review')).toMatchObject({
      actor: 'staff:dora',
      note: null,
    });
  });
});
