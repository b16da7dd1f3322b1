import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getKind, registerKind } from '../kinds.js';
import { requests } from '../tables.js';
import { requestHistory } from './queries.js';
import { fileRequest } from './service.js';
import { lockRequestForLine, reconsiderStep, returnFromLine } from './settle.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';

/**
 * A line settles the step its request waits on from its own action (another institution's
 * consent, a segment confirmed): `reconsiderStep` approves by policy once the condition holds,
 * in the line's transaction; `returnFromLine` returns the request with a reason.
 */
const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const noc = staff('nina', ['noc']);
/** What the "line" records elsewhere: the condition the step waits on, per request. */
const ready = new Set<string>();
const abandoned: string[] = [];

function registerSettleKind(): void {
  if (getKind('test.settle')) return;
  registerKind<{ n: number }>({
    kind: 'test.settle',
    queue: 'test',
    title: 'Test settle',
    description: 'A step that waits on something a line records.',
    schema: z.object({ n: z.number().int() }),
    steps: [
      {
        name: 'wait',
        type: 'human',
        actor: 'noc',
        description: 'Waits until the line says it is ready.',
        autoApprove: async (_tx, { request }) => (ready.has(request.id) ? 'the line is ready' : false),
        run: async (_tx, { ctx }) => ({ by: ctx.actor.kind === 'system' ? ctx.actor.name : ctx.actor.kind }),
      },
      { name: 'done', type: 'automatic', description: 'Ends.', run: async () => ({ ok: true }) },
    ],
    onAbandon: async (_tx, req) => {
      abandoned.push(req.id);
    },
    sla: { responseMinutes: 60, resolutionMinutes: 600 },
  });
}

describe(`steps settled by a line on ${engine}`, () => {
  let database: Database;
  let a: InstitutionFixture;
  const file = () =>
    fileRequest(database.db, as(a.technical), envOf(database), {
      kind: 'test.settle',
      institutionId: a.id,
      payload: { n: 1 },
    });
  const status = async (id: string) =>
    (await database.db.select().from(requests).where(eq(requests.id, id)))[0];

  beforeAll(async () => {
    registerSettleKind();
    database = await freshDatabase();
    a = await seedInstitution(database, 'SETTLE');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('does nothing while the condition does not hold, then approves by policy and advances', async () => {
    const req = await file();
    expect(req.currentStep).toBe('wait');
    const ctx = as(noc);
    await database.db.transaction(async (tx) => {
      expect(await lockRequestForLine(tx, req.id)).toMatchObject({ id: req.id });
      expect(await reconsiderStep(tx, ctx, envOf(database), req.id, 'wait')).toBeUndefined();
    });
    expect((await status(req.id))?.status).toBe('in_progress');
    ready.add(req.id);
    const after = await database.db.transaction((tx) =>
      reconsiderStep(tx, ctx, envOf(database), req.id, 'wait'),
    );
    expect(after).toMatchObject({ status: 'completed' });
    const waited = (await requestHistory(database.db, req.id)).find(
      (e) => e.step === 'wait' && e.type === 'step_completed',
    );
    expect(waited).toMatchObject({ actor: 'system:policy', note: 'the line is ready' });
    // Not waiting there any more: nothing happens.
    expect(
      await database.db.transaction((tx) => reconsiderStep(tx, ctx, envOf(database), req.id, 'wait')),
    ).toBeUndefined();
  });

  it('a rolled-back line action leaves the request where it was', async () => {
    const req = await file();
    ready.add(req.id);
    await database.db
      .transaction(async (tx) => {
        await reconsiderStep(tx, as(noc), envOf(database), req.id, 'wait');
        throw new Error('the line’s own write failed');
      })
      .catch(() => undefined);
    expect(await status(req.id)).toMatchObject({ status: 'in_progress', currentStep: 'wait' });
  });

  it('returns the request with the reason, abandoning the pass', async () => {
    const req = await file();
    const after = await database.db.transaction((tx) =>
      returnFromLine(tx, as(noc), envOf(database), req.id, 'the other institution refused', { who: 'B' }),
    );
    expect(after).toMatchObject({ status: 'returned', reason: 'the other institution refused' });
    expect(abandoned).toContain(req.id);
    const returned = (await requestHistory(database.db, req.id)).find((e) => e.type === 'returned');
    expect(returned).toMatchObject({ note: 'the other institution refused', data: { pass: 1, who: 'B' } });
  });
});
