import { createLogger, ForbiddenError, InvalidTransitionError, loadConfig } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv } from '../line/create.js';
import { notifyJobs } from '../notify/jobs.js';
import { actOnStep } from './act.js';
import { externalStepJob } from './external.js';
import { cancelRequest, retryRequest } from './lifecycle.js';
import { getRequest, requestHistory, requestSteps } from './queries.js';
import { fileRequest, resubmitRequest } from './service.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff, waitFor } from './test/fixtures.js';
import { probeRuns, registerTestKinds } from './test/kinds.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const noc = staff('nadia', ['noc']);
const logger = createLogger(process.env.LOG_LEVEL ?? 'silent');

describe(`external steps on ${engine}`, () => {
  let database: Database;
  let runner: JobRunner;
  let a: InstitutionFixture;

  const file = (failTimes: number, returnWith?: string) =>
    fileRequest(database.db, as(a.technical), envOf(database, runner), {
      kind: 'test.probe',
      institutionId: a.id,
      payload: { label: 'p', failTimes, ...(returnWith ? { returnWith } : {}) },
    });
  const probe = async (id: string) =>
    (await requestSteps(database.db, await getRequest(database.db, as(noc), id)))[0]!;
  const settled = (id: string) =>
    waitFor(async () => {
      const r = await getRequest(database.db, as(noc), id);
      return r.status !== 'in_progress' ? r : undefined;
    });

  beforeAll(async () => {
    registerTestKinds();
    database = await freshDatabase();
    a = await seedInstitution(database, 'ALPHA');
    const env = createEnv({ database, lines: [] });
    runner = createJobRunner(database, {
      // The notification jobs too: the listener enqueues them as in every host.
      definitions: [
        externalStepJob(env),
        ...notifyJobs({ database, config: loadConfig({}), sweepCron: null }),
      ],
      logger,
      pollingIntervalSeconds: 0.5,
    });
    env.attachJobs(runner);
    await runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  it('runs an external step in the background, then the automatic step after it', async () => {
    const req = await file(0);
    expect(req).toMatchObject({ status: 'in_progress', currentStep: 'probe' });
    const done = await settled(req.id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(await probe(req.id)).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    const history = await requestHistory(database.db, req.id);
    const finish = history.find((e) => e.step === 'finish')!;
    expect(finish).toMatchObject({ type: 'step_completed', actor: 'system:job:workflow.external-step' });
    // The job carries the HTTP request id of the filing: its rows lead back to that call.
    expect(finish.httpRequestId).toBe(history[0]!.httpRequestId);
    expect(finish.data).toMatchObject({ output: { answer: 1 } });
  });

  it('retries with backoff, showing attempts and the last error, and advances on success', async () => {
    const req = await file(2);
    const failedOnce = await waitFor(async () => {
      const s = await probe(req.id);
      return s.lastError ? s : undefined;
    });
    expect(failedOnce).toMatchObject({ lastError: 'peer refused (run 1)', attempts: 1 });
    expect(['pending', 'running']).toContain(failedOnce.state);
    const done = await settled(req.id);
    expect(done.status).toBe('completed');
    expect(await probe(req.id)).toMatchObject({
      state: 'done',
      attempts: 3,
      lastError: 'peer refused (run 2)',
    });
    const [t1, t2, t3] = probeRuns.get(req.id)!;
    // The kind says 1 s then doubling: 1 s before the second attempt, 2 s before the third.
    expect(t2! - t1!).toBeGreaterThanOrEqual(1000);
    expect(t3! - t2!).toBeGreaterThanOrEqual(2000);
  });

  it('fails the request when retries run out; the NOC (only) retries it', async () => {
    const req = await file(3);
    const failed = await settled(req.id);
    expect(failed).toMatchObject({ status: 'failed', currentStep: 'probe' });
    expect(failed.reason).toBe('Step "probe" failed after 3 attempts: peer refused (run 3)');
    expect(await probe(req.id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'peer refused (run 3)',
    });
    const history = await requestHistory(database.db, req.id);
    expect(history.at(-1)).toMatchObject({
      type: 'failed',
      fromStatus: 'in_progress',
      toStatus: 'failed',
      step: 'probe',
    });
    // The filer may not cancel while something external is in flight or has failed.
    await expect(
      cancelRequest(database.db, as(a.technical), envOf(database, runner), { requestId: req.id }),
    ).rejects.toThrow(InvalidTransitionError);

    await expect(
      retryRequest(database.db, as(a.technical), envOf(database, runner), { requestId: req.id }),
    ).rejects.toThrow(ForbiddenError);
    const retried = await retryRequest(database.db, as(noc, 'http-retry'), envOf(database, runner), {
      requestId: req.id,
    });
    expect(retried).toMatchObject({ status: 'in_progress', reason: null, currentStep: 'probe' });
    expect(await probe(req.id)).toMatchObject({ attempts: 0 });
    expect(await settled(req.id)).toMatchObject({ status: 'completed' });
    expect(await probe(req.id)).toMatchObject({ state: 'done', attempts: 1 });
    const types = (await requestHistory(database.db, req.id)).map((e) => e.type);
    expect(types.slice(-5)).toEqual(['failed', 'retried', 'step_completed', 'step_completed', 'completed']);
  });

  it('lets the NOC reject a failed request', async () => {
    const req = await file(99);
    await settled(req.id);
    const rejected = await actOnStep(database.db, as(noc), envOf(database, runner), {
      requestId: req.id,
      decision: 'reject',
      reason: 'peer never answers',
    });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'peer never answers' });
  });

  it('leaves a returned request alone when its pending job wakes up', async () => {
    const req = await file(1);
    await waitFor(async () => (await probe(req.id)).lastError);
    const returned = await actOnStep(database.db, as(noc), envOf(database, runner), {
      requestId: req.id,
      step: 'probe',
      decision: 'return',
      reason: 'fix your name server first',
    });
    expect(returned.status).toBe('returned');
    expect((await probe(req.id)).state).toBe('skipped');
    const runs = probeRuns.get(req.id)!.length;
    // The retry was due 1 s after the failure: give it time to wake up and find nothing to do.
    await new Promise((r) => setTimeout(r, 2500));
    expect(probeRuns.get(req.id)!.length).toBe(runs);
    expect((await getRequest(database.db, as(noc), req.id)).status).toBe('returned');
  });

  it('returns the request to the institution when the step says so: no retry, findings in the history', async () => {
    const req = await file(0, 'ns2 does not answer');
    const returned = await settled(req.id);
    expect(returned).toMatchObject({ status: 'returned', reason: 'ns2 does not answer', currentStep: null });
    // Not a failure: one attempt, no error, no retry pending.
    expect(await probe(req.id)).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    const last = (await requestHistory(database.db, req.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'returned',
      fromStatus: 'in_progress',
      toStatus: 'returned',
      step: 'probe',
      note: 'ns2 does not answer',
      actor: 'system:job:workflow.external-step',
      data: { pass: 1, findings: [{ code: 'LAME' }] },
    });
    // The institution resubmits (having fixed its server): a new pass, which completes.
    await resubmitRequest(database.db, as(a.technical), envOf(database, runner), { requestId: req.id });
    expect(await settled(req.id)).toMatchObject({ status: 'completed', reason: null });
    expect(probeRuns.get(req.id)).toHaveLength(2);
  });
});
