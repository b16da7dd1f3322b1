import { createLogger } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner, defineJob } from './index.js';
import { BOSS_SCHEMA } from './state.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const logger = createLogger(process.env.LOG_LEVEL ?? 'silent');

/**
 * A restart reads the queues and schedules once and writes only what changed (issue #10: two
 * statements per queue were a quarter of the embedded restart). What a restart must still do:
 * apply a changed retry policy, move a changed cron, drop the schedule of a job that lost it.
 */
describe(`job runner restart on ${engine}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const noop = async () => {};
  type Definitions = Parameters<typeof createJobRunner>[1]['definitions'];
  const restart = async (definitions: Definitions) => {
    const runner = createJobRunner(database, { logger, pollingIntervalSeconds: 0.5, definitions });
    await runner.start();
    await runner.stop();
  };
  const queue = async (name: string) =>
    (
      await database.query<{ retry_limit: number; retry_delay: number; updated_on: Date }>(
        `SELECT retry_limit, retry_delay, updated_on FROM ${BOSS_SCHEMA}.queue WHERE name = $1`,
        [name],
      )
    )[0];
  const schedule = async (name: string) =>
    (
      await database.query<{ cron: string; updated_on: Date }>(
        `SELECT cron, updated_on FROM ${BOSS_SCHEMA}.schedule WHERE name = $1`,
        [name],
      )
    )[0];

  it('keeps unchanged rows as they are, applies a changed policy and cron, drops a lost cron', async () => {
    const v1 = [
      defineJob({
        name: 'test.sweep',
        cron: '*/5 * * * *',
        retryLimit: 2,
        retryDelaySeconds: 10,
        handler: noop,
      }),
      defineJob({ name: 'test.report', cron: '0 6 * * *', handler: noop }),
    ];
    await restart(v1);
    const [sweep1, sched1] = [await queue('test.sweep'), await schedule('test.sweep')];
    expect(sweep1).toMatchObject({ retry_limit: 2, retry_delay: 10 });
    expect(sched1?.cron).toBe('*/5 * * * *');
    expect((await schedule('test.report'))?.cron).toBe('0 6 * * *');

    // The same definitions again: not a row rewritten.
    await restart(v1);
    expect((await queue('test.sweep'))?.updated_on).toEqual(sweep1?.updated_on);
    expect((await schedule('test.sweep'))?.updated_on).toEqual(sched1?.updated_on);

    // Today's code: another policy and cron for one, no cron any more for the other.
    await restart([
      defineJob({
        name: 'test.sweep',
        cron: '*/10 * * * *',
        retryLimit: 4,
        retryDelaySeconds: 10,
        handler: noop,
      }),
      defineJob({ name: 'test.report', handler: noop }),
    ]);
    expect(await queue('test.sweep')).toMatchObject({ retry_limit: 4, retry_delay: 10 });
    expect((await schedule('test.sweep'))?.cron).toBe('*/10 * * * *');
    expect(await schedule('test.report')).toBeUndefined();
    expect(await queue('test.report')).toBeDefined();
  });
});
