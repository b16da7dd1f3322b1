import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseAdapter, sqlFromText, txAdapter } from './adapter.js';
import { BOSS_SCHEMA, createJobRunner, defineJob } from './index.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const logger = createLogger(process.env.LOG_LEVEL ?? 'silent');

async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe(`pg-boss over @guichet/db on ${engine}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('rolls back a multi-statement text that fails midway and leaves the connection usable', async () => {
    const boss = databaseAdapter(database, () => {});
    await expect(
      boss.executeSql(`BEGIN;
        SET LOCAL lock_timeout = '30s';
        SELECT pg_advisory_xact_lock(42);
        CREATE TABLE jobs_probe (x int);
        SELECT 1 / 0;
        COMMIT;`),
    ).rejects.toThrow('division by zero');
    // On PGlite this runs on the same (only) connection: it would fail with "current
    // transaction is aborted" had the failed text left its transaction open.
    const { rows } = await boss.executeSql(`SELECT to_regclass('jobs_probe')::text AS t`);
    expect(rows).toEqual([{ t: null }]);
    const last = await boss.executeSql(`BEGIN; SELECT 1 AS a; SELECT 2 AS b; COMMIT;`);
    expect(last.rows).toEqual([{ b: 2 }]);
    const param = await boss.executeSql('SELECT $1::int + 1 AS n, $2::jsonb AS j', [41, { ok: true }]);
    expect(param.rows).toEqual([{ n: 42, j: { ok: true } }]);
    await boss.drain();
    expect(boss.pending).toBe(0);
  });

  it('keeps a parameter used twice as one parameter inside a drizzle transaction', async () => {
    // pg-boss's insert uses $5 as text (right($5, 1)) and as timestamptz in another branch.
    const text = `SELECT $1::int + $1::int AS four,
      CASE WHEN right($2, 1) = 'Z' THEN CAST($2 AS timestamptz) END IS NOT NULL AS is_date,
      $3::text IS NULL AS undefined_is_null`;
    for (const [value, isDate] of [
      ['2026-11-02T10:00:00Z', true],
      ['30', false],
    ] as const) {
      const rows = await database.db.transaction(async (tx) => {
        const { rows } = await txAdapter(tx).executeSql(text, [2, value, undefined]);
        return rows;
      });
      expect(rows).toEqual([{ four: 4, is_date: isDate, undefined_is_null: true }]);
    }
    expect(sqlFromText('SELECT 1', [])).toBeDefined();
  });

  it('lets a handler enqueue the next job in its own transaction', async () => {
    const seen: string[] = [];
    const second = defineJob<{ from: string }>({
      name: 'test.second',
      handler: async (data) => void seen.push(`second from ${data.from}`),
    });
    const first = defineJob<{ id: string }>({
      name: 'test.first',
      handler: async (data, ctx) => {
        // On PGlite the transaction holds the only connection; the other queue's worker
        // polls meanwhile and must simply wait for it.
        await database.db.transaction(async (tx) => {
          await tx.execute(sqlFromText('SELECT pg_sleep(0.2)', []));
          await runner.sendInTx(tx, second, { from: data.id }, { requestId: ctx.requestContext.requestId });
        });
        seen.push(`first ${data.id}`);
      },
    });
    const cron = defineJob({ name: 'test.nightly', cron: '0 3 * * *', handler: async () => {} });
    const runner = createJobRunner(database, {
      logger,
      definitions: [first, second, cron],
      pollingIntervalSeconds: 0.5,
      concurrency: 2,
    });
    await runner.start();
    try {
      await runner.send(first, { id: 'a' });
      await runner.send(first, { id: 'b' });
      await waitFor(() => (seen.length === 4 ? true : undefined));
      expect(seen.filter((s) => s.startsWith('second')).sort()).toEqual(['second from a', 'second from b']);
      const schedules = await database.query<{ name: string; cron: string; timezone: string }>(
        'SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name',
      );
      expect(schedules).toEqual([{ name: 'test.nightly', cron: '0 3 * * *', timezone: 'UTC' }]);
    } finally {
      await runner.stop();
    }
    await runner.stop(); // a second stop is a no-op
    const [version] = await database.query<{ version: number }>('SELECT version FROM pgboss.version');
    expect(version?.version).toBe(24);
  });

  it("takes pg-boss's batch insert, the path its cron schedules enqueue through", async () => {
    // pg-boss passes JSON.stringify(jobs) to `json_to_recordset($1)`: encoded a second time,
    // PostgreSQL refuses it ("cannot call json_to_recordset on a scalar") and no schedule runs.
    const boss = new PgBoss({
      db: databaseAdapter(database, () => {}) as PgBoss.Db,
      schema: BOSS_SCHEMA,
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => {});
    await boss.start();
    try {
      await boss.createQueue('test.batch');
      await boss.insert([
        { name: 'test.batch', data: { n: 1 } },
        { name: 'test.batch', data: { n: 2 }, singletonKey: 'two' },
      ]);
      const rows = await database.query<{ data: unknown; singleton_key: string | null }>(
        `SELECT data, singleton_key FROM ${BOSS_SCHEMA}.job WHERE name = 'test.batch' ORDER BY data->>'n'`,
      );
      expect(rows).toEqual([
        { data: { n: 1 }, singleton_key: null },
        { data: { n: 2 }, singleton_key: 'two' },
      ]);
    } finally {
      await boss.stop({ graceful: false, close: false, wait: true });
    }
  });
});
