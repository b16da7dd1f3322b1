import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, dbEngineProbe, openDatabase, pgError, sql } from './index.js';

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
