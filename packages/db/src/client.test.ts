import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, dbEngineProbe, jsonb, openDatabase, pgError, pgTable, serial, sql } from './index.js';

describe(`migrations on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores cidr values canonically and queries them with inet operators', async () => {
    await database.db.insert(dbEngineProbe).values([{ prefix: '10.0.1.0/24' }, { prefix: '2001:db8::/48' }]);
    const rows = await database.query<{ prefix: string }>(
      `SELECT prefix::text AS prefix FROM db_engine_probe WHERE prefix <<= '10.0.0.0/16'::cidr`,
    );
    expect(rows.map((r) => r.prefix)).toEqual(['10.0.1.0/24']);
  });

  it('refuses an invalid cidr (host bits set) with SQLSTATE 22P02', async () => {
    const err = await database.db
      .insert(dbEngineProbe)
      .values({ prefix: '10.0.1.1/24' })
      .catch((e: unknown) => e);
    expect(pgError(err)?.code).toBe('22P02');
  });

  it.each(['10.0.1.128/25', '10.0.0.0/23', '10.0.1.0/24'])(
    'makes an overlapping prefix unwritable: %s',
    async (prefix) => {
      const err = await database.db
        .insert(dbEngineProbe)
        .values({ prefix })
        .catch((e: unknown) => e);
      expect(pgError(err)).toMatchObject({ code: '23P01', constraint: 'db_engine_probe_no_overlap' });
    },
  );

  it('accepts an adjacent prefix', async () => {
    await database.db.insert(dbEngineProbe).values({ prefix: '10.0.2.0/24' });
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(dbEngineProbe);
    expect(row?.n).toBe(3);
  });

  it('uses the GiST index for containment queries', async () => {
    await database.exec('SET enable_seqscan = off');
    const plan = await database.query<Record<string, string>>(
      `EXPLAIN SELECT id FROM db_engine_probe WHERE prefix && '10.0.0.0/8'::cidr`,
    );
    await database.exec('RESET enable_seqscan');
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(/db_engine_probe_no_overlap/);
  });

  it('runs migrations again as a no-op', async () => {
    await database.migrate();
    const rows = await database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
  });
});

describe(`parameters on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('sends a raw query string as the parameter text, whatever type the server infers', async () => {
    // pg-boss's cron insert: `json_to_recordset($1)` with `$1 = JSON.stringify(jobs)`.
    const jobs = JSON.stringify([{ name: 'a', n: 1 }]);
    const [row] = await database.query<Record<string, unknown>>(
      `SELECT json_typeof($1) AS t, $2::jsonb AS j, $3::boolean AS b, $4::int AS n,
        (SELECT count(*)::int FROM json_to_recordset($1) AS x (name text, n int)) AS rows`,
      [jobs, '{"ok":true}', 'true', '42'],
    );
    expect(row).toEqual({ t: 'array', j: { ok: true }, b: true, n: 42, rows: 1 });
    // Non-strings keep the driver's own handling: an object for jsonb, an array for text[].
    const [other] = await database.query<Record<string, unknown>>(
      'SELECT $1::jsonb AS j, $2::text[] AS a, $3::int AS n',
      [{ ok: 1 }, ['x', 'y'], 7],
    );
    expect(other).toEqual({ j: { ok: 1 }, a: ['x', 'y'], n: 7 });
  });

  it("writes drizzle's json columns as before: a string value stays a JSON string", async () => {
    const probe = pgTable('db_json_probe', { id: serial('id').primaryKey(), v: jsonb('v') });
    await database.exec('CREATE TABLE db_json_probe (id serial PRIMARY KEY, v jsonb)');
    await database.db
      .insert(probe)
      .values([{ v: 'hello' }, { v: '{"a":1}' }, { v: { a: 1 } }, { v: [1, 2] }]);
    const rows = await database.query<{ t: string; v: string }>(
      'SELECT jsonb_typeof(v) AS t, v::text AS v FROM db_json_probe ORDER BY id',
    );
    expect(rows).toEqual([
      { t: 'string', v: '"hello"' },
      { t: 'string', v: '"{\\"a\\":1}"' },
      { t: 'object', v: '{"a": 1}' },
      { t: 'array', v: '[1, 2]' },
    ]);
  });
});

describe('embedded persistence', () => {
  it('keeps data in the data directory across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'guichet-db-'));
    try {
      const a = await openDatabase({ dataDir: dir });
      await a.db.insert(dbEngineProbe).values({ prefix: '192.0.2.0/24' });
      await a.close();
      const b = await openDatabase({ dataDir: dir });
      const rows = await b.query<{ p: string }>('SELECT prefix::text AS p FROM db_engine_probe');
      await b.close();
      expect(rows).toEqual([{ p: '192.0.2.0/24' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
