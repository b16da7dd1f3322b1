import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJobRunner, defineJob, type JobRunner } from './index.js';

// A worker with a queue full of jobs runs them one after the other, not one per polling
// interval (pg-boss's own loop waits the interval after every job). The jobs are enqueued by
// another runner, as the api does for services/worker: nothing notifies the worker of them.

const logger = createLogger('silent');
const POLL_SECONDS = 60;
const JOBS = 5;
let database: Database;
let enqueuer: JobRunner;
let worker: JobRunner;
const ran: number[] = [];

const job = defineJob<{ n: number }>({
  name: 'test.drain',
  handler: async ({ n }) => {
    ran.push(n);
  },
});

beforeAll(async () => {
  database = await freshDatabase();
  enqueuer = createJobRunner(database, { definitions: [job], logger });
  await enqueuer.start({ work: false });
  for (let n = 0; n < JOBS; n++) await enqueuer.send(job, { n });
  worker = createJobRunner(database, { definitions: [job], logger, pollingIntervalSeconds: POLL_SECONDS });
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await enqueuer?.stop();
  await database?.close();
});

it('drains a busy queue without waiting a polling interval between jobs', async () => {
  // Far less than one interval (60 s): without the drain, the second job would wait it out.
  const deadline = Date.now() + 20_000;
  while (ran.length < JOBS && Date.now() < deadline) await sleep(50);
  expect([...ran].sort()).toEqual([0, 1, 2, 3, 4]);
}, 30_000);
