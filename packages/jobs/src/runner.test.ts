import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@guichet/core';
import { type Database, dbEngineProbe, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner, defineJob, type JobContext, type JobInfo, type JobRunner } from './index.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const logger = createLogger(process.env.LOG_LEVEL ?? 'silent');
const fast = { logger, pollingIntervalSeconds: 0.5 };

/** Polls until `check` returns a value (not undefined/false); no fixed sleeps. */
async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await sleep(50);
  }
}

const settled = (runner: JobRunner, name: string, id: string) =>
  waitFor(async () => {
    const job = await runner.getJob(name, id);
    return job && ['completed', 'failed', 'cancelled'].includes(job.state) ? job : undefined;
  });

describe(`job runner on ${engine}`, () => {
  let database: Database;
  let runner: JobRunner;
  const runs: { job: string; data: unknown; ctx: JobContext; at: number }[] = [];
  const record = (job: string) => async (data: unknown, ctx: JobContext) => {
    runs.push({ job, data, ctx, at: Date.now() });
  };
  const runsOf = (job: string) => runs.filter((r) => r.job === job);

  const once = defineJob<{ zone: string }>({ name: 'test.once', handler: record('once') });
  const flaky = defineJob<{ n: number }>({
    name: 'test.flaky',
    retryLimit: 3,
    retryDelaySeconds: 1,
    handler: async (data, ctx) => {
      await record('flaky')(data, ctx);
      if (ctx.attempt < 3) throw new Error(`registry unavailable (attempt ${ctx.attempt})`);
    },
  });
  const doomed = defineJob<Record<string, never>>({
    name: 'test.doomed',
    retryLimit: 1,
    retryDelaySeconds: 1,
    handler: async (data, ctx) => {
      await record('doomed')(data, ctx);
      throw new Error(`refused by peer (attempt ${ctx.attempt})`);
    },
  });
  const inTx = defineJob<{ label: string }>({
    name: 'test.in-tx',
    validate: (d) => {
      if (!d || typeof (d as { label?: unknown }).label !== 'string')
        throw new Error('label must be a string');
      return d as { label: string };
    },
    handler: record('in-tx'),
  });

  beforeAll(async () => {
    database = await freshDatabase();
    runner = createJobRunner(database, { ...fast, definitions: [once, flaky, doomed, inTx] });
    await runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  it('runs a job once and records it completed', async () => {
    const id = await runner.send(once, { zone: '0.2.192.in-addr.arpa' }, { requestId: 'req-123' });
    const job = await settled(runner, 'test.once', id);
    expect(job).toMatchObject({ state: 'completed', attempts: 1, retryCount: 0, lastError: null });
    expect(job.data).toEqual({ zone: '0.2.192.in-addr.arpa' });
    expect(job.completedOn!.getTime()).toBeGreaterThanOrEqual(job.createdOn.getTime());
    expect(runsOf('once')).toHaveLength(1);
    const { ctx, data } = runsOf('once')[0]!;
    expect(data).toEqual({ zone: '0.2.192.in-addr.arpa' });
    expect(ctx).toMatchObject({ jobId: id, attempt: 1, isLastAttempt: false });
    expect(ctx.requestContext.actor).toEqual({ kind: 'system', name: 'job:test.once' });
    expect(ctx.requestContext.requestId).toBe('req-123');
    expect(await runner.status(id)).toMatchObject({ id, name: 'test.once', state: 'completed' });
  });

  it('retries a failing handler with backoff and completes on attempt 3', async () => {
    const id = await runner.send(flaky, { n: 1 });
    // Between attempts the failure is visible to an operator.
    const retrying = await waitFor(async () => {
      const j = await runner.getJob('test.flaky', id);
      return j?.state === 'retry' ? j : undefined;
    });
    expect(retrying).toMatchObject({
      attempts: 1,
      retryCount: 0,
      lastError: 'registry unavailable (attempt 1)',
    });
    expect(retrying.startAfter.getTime()).toBeGreaterThan(Date.now() - 1000);

    const job = await settled(runner, 'test.flaky', id);
    expect(job).toMatchObject({ state: 'completed', attempts: 3, retryCount: 2, retryLimit: 3 });
    // The success keeps the reason of the failure before it.
    expect(job.lastError).toBe('registry unavailable (attempt 2)');
    const at = runsOf('flaky').map((r) => r.at);
    expect(runsOf('flaky').map((r) => r.ctx.attempt)).toEqual([1, 2, 3]);
    // Backoff with a 1 s delay: 1–2 s before the 2nd attempt, 2–4 s before the 3rd.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(990);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1990);
  });

  it('ends a job failed past its retry limit, with the last error visible', async () => {
    const id = await runner.send(doomed, {});
    const job: JobInfo = await settled(runner, 'test.doomed', id);
    expect(job).toMatchObject({
      state: 'failed',
      attempts: 2,
      retryCount: 1,
      retryLimit: 1,
      lastError: 'refused by peer (attempt 2)',
    });
    expect(runsOf('doomed').map((r) => [r.ctx.attempt, r.ctx.isLastAttempt])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('runs a job sent in a committed transaction, never one whose transaction rolled back', async () => {
    let rolledBackId = '';
    await expect(
      database.db.transaction(async (tx) => {
        await tx.insert(dbEngineProbe).values({ prefix: '198.51.100.0/24' });
        rolledBackId = await runner.sendInTx(tx, inTx, { label: 'rolled back' });
        throw new Error('request refused');
      }),
    ).rejects.toThrow('request refused');
    const committedId = await database.db.transaction(async (tx) => {
      await tx.insert(dbEngineProbe).values({ prefix: '203.0.113.0/24' });
      return runner.sendInTx(tx, inTx, { label: 'committed' });
    });

    expect(await settled(runner, 'test.in-tx', committedId)).toMatchObject({ state: 'completed' });
    // Jobs run oldest first: the rolled-back one would have run before the committed one.
    expect(runsOf('in-tx').map((r) => r.data)).toEqual([{ label: 'committed' }]);
    expect(await runner.getJob('test.in-tx', rolledBackId)).toBeNull();
    const rows = await database.db
      .select()
      .from(dbEngineProbe)
      .where(eq(dbEngineProbe.prefix, '198.51.100.0/24'));
    expect(rows).toEqual([]);
  });

  it('keeps a job for later in a transaction (startAfter) and refuses an invalid payload', async () => {
    const id = await database.db.transaction((tx) =>
      runner.sendInTx(tx, inTx, { label: 'later' }, { startAfter: 3600 }),
    );
    const job = await runner.getJob('test.in-tx', id);
    expect(job?.state).toBe('created');
    expect(job!.startAfter.getTime() - Date.now()).toBeGreaterThan(3500_000);
    await expect(runner.send(inTx, { label: 7 } as never)).rejects.toThrow('label must be a string');
    await expect(runner.send('test.unknown', {})).rejects.toThrow('unknown job "test.unknown"');
  });
});

describe(`start and stop on ${engine}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('stop() waits for the running handler and its completion', async () => {
    let state = 'idle';
    const slow = defineJob({
      name: 'test.slow',
      handler: async () => {
        state = 'running';
        await sleep(1500);
        state = 'finished';
      },
    });
    const runner = createJobRunner(database, { ...fast, definitions: [slow] });
    await runner.start();
    const id = await runner.send(slow, {});
    await waitFor(() => state === 'running');
    await runner.stop();
    expect(state).toBe('finished');
    expect(await runner.getJob('test.slow', id)).toMatchObject({ state: 'completed', attempts: 1 });
  });

  it('a runner started with work: false enqueues but leaves the handling to a worker', async () => {
    const handledBy: string[] = [];
    const def = (who: string) =>
      defineJob({ name: 'test.handoff', handler: async () => void handledBy.push(who) });
    const api = createJobRunner(database, { ...fast, definitions: [def('api')] });
    const worker = createJobRunner(database, { ...fast, definitions: [def('worker')] });
    await api.start({ work: false });
    try {
      const id = await api.send('test.handoff', {});
      await worker.start();
      expect(await settled(api, 'test.handoff', id)).toMatchObject({ state: 'completed' });
      expect(handledBy).toEqual(['worker']);
    } finally {
      await worker.stop();
      await api.stop();
    }
  });
});

describe(`draining a queue on ${engine}`, () => {
  it('runs queued jobs back to back, not one per polling interval (30 a minute at 2 s)', async () => {
    const database = await freshDatabase();
    const done: number[] = [];
    const job = defineJob<{ n: number }>({
      name: 'test.drain',
      handler: async ({ n }) => {
        done.push(n);
      },
    });
    // A slow poll, as a worker idles: 8 jobs used to take 8 intervals (40 s); one is plenty now.
    const runner = createJobRunner(database, { definitions: [job], logger, pollingIntervalSeconds: 5 });
    await runner.start({ work: false });
    for (let n = 0; n < 8; n++) await runner.send(job, { n });
    await runner.stop();
    const worker = createJobRunner(database, { definitions: [job], logger, pollingIntervalSeconds: 5 });
    try {
      await worker.start();
      await waitFor(() => done.length === 8, 5_000);
      expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await worker.stop();
      await database.close();
    }
  });

  it('runs as many handlers of a queue at once as its definition asks', async () => {
    const database = await freshDatabase();
    let now = 0;
    let most = 0;
    const job = defineJob<{ n: number }>({
      name: 'test.wide',
      concurrency: 3,
      handler: async () => {
        most = Math.max(most, ++now);
        await sleep(300);
        now--;
      },
    });
    const runner = createJobRunner(database, { definitions: [job], ...fast });
    try {
      await runner.start();
      const ids = [];
      for (let n = 0; n < 6; n++) ids.push(await runner.send(job, { n }));
      for (const id of ids) await settled(runner, job.name, id);
      expect(most).toBe(3);
    } finally {
      await runner.stop();
      await database.close();
    }
  });
});
