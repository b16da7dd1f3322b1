import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemContext } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import { seedDemoMembership } from '@guichet/membership';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * backup.sh then restore.sh into a fresh database, on the suite's engine: the restored
 * database answers the same queries — every row of every table (public, drizzle's migrations,
 * pg-boss's queue), the constraints, the sequences — and still refuses what the source refuses.
 */

const here = import.meta.dirname;
const serverUrl = process.env.TEST_DATABASE_URL;
const root = mkdtempSync(join(tmpdir(), 'guichet-backup-'));

function script(name: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(join(here, name), args, {
    encoding: 'utf8',
    // Only what the script reads: never the suite's own DATABASE_URL or DATA_DIR.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What a user would compare: per table, its row count and a digest of its rows in order. */
async function answers(database: Database) {
  const tables = await database.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
     WHERE schemaname IN ('public', 'drizzle', 'pgboss') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [r] = await database.query<{ n: number; digest: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${name} t`,
    );
    out[name] = `${r!.n} ${r!.digest ?? ''}`;
  }
  const constraints = await database.query<{ c: string }>(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || contype::text AS c FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
  );
  const sequences = await database.query<{ s: string }>(
    `SELECT format('%I.%I', schemaname, sequencename) || ' ' || coalesce(last_value, 0) AS s
     FROM pg_sequences ORDER BY 1`,
  );
  return { tables: out, constraints: constraints.map((r) => r.c), sequences: sequences.map((r) => r.s) };
}

async function seed(database: Database) {
  await seedDemoMembership(database, systemContext('backup-test'));
  await database.exec(`INSERT INTO db_engine_probe (prefix) VALUES ('192.0.2.0/24')`);
}

const overlapRefused = (database: Database) =>
  database.exec(`INSERT INTO db_engine_probe (prefix) VALUES ('192.0.2.128/25')`).then(
    () => 'accepted',
    (e: unknown) => String(e),
  );

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(serverUrl)('backup and restore on PostgreSQL (pg_dump / pg_restore)', () => {
  const admin = postgres(serverUrl ?? '', { max: 1, onnotice: () => {} });
  const names = [0, 1].map(() => `guichet_bk_${randomBytes(5).toString('hex')}`);
  const urlOf = (name: string) =>
    Object.assign(new URL(serverUrl ?? ''), { pathname: `/${name}` }).toString();
  let source: Database;

  beforeAll(async () => {
    for (const n of names) await admin.unsafe(`CREATE DATABASE ${n}`);
    source = await openDatabase({ url: urlOf(names[0]!) });
    await seed(source);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    for (const n of names) await admin.unsafe(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.end();
  });

  it('a backup restored into a fresh database answers the same queries', async () => {
    const file = join(root, 'guichet.dump');
    const backup = script('backup.sh', [file], { DATABASE_URL: urlOf(names[0]!) });
    expect(backup).toMatchObject({ status: 0 });
    const restore = script('restore.sh', [file], { DATABASE_URL: urlOf(names[1]!) });
    expect(restore).toMatchObject({ status: 0 });

    // No migration left to run on the copy: the migrator's table came with it.
    const copy = await openDatabase({ url: urlOf(names[1]!), migrate: false });
    try {
      const expected = await answers(source);
      expect(Object.keys(expected.tables).length).toBeGreaterThan(20);
      expect(await answers(copy)).toEqual(expected);
      expect(await overlapRefused(copy)).toMatch(/db_engine_probe_no_overlap/);
    } finally {
      await copy.close();
    }
  }, 120_000);

  it('refuses to restore over a database that holds tables', () => {
    const again = script('restore.sh', [join(root, 'guichet.dump')], { DATABASE_URL: urlOf(names[1]!) });
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/already holds \d+ tables: restore into a fresh one/);
  });
});

describe.skipIf(serverUrl)('backup and restore of the embedded data directory', () => {
  const [from, to] = [join(root, 'from'), join(root, 'to')];
  const file = join(root, 'embedded.tar.gz');

  it('refuses while the api (here: this process) has the database open', async () => {
    const open = await openDatabase({ dataDir: join(from, 'pglite') });
    try {
      await seed(open);
      const r = script('backup.sh', [file], { DATA_DIR: from });
      expect(r.status).toBe(1);
      expect(r.out).toContain(`is open in process ${process.pid}: stop the api first`);
      expect(existsSync(file)).toBe(false);
    } finally {
      await open.close();
    }
  }, 120_000);

  it('a backup restored into a fresh DATA_DIR answers the same queries', async () => {
    expect(script('backup.sh', [file], { DATA_DIR: from })).toMatchObject({ status: 0 });
    expect(script('restore.sh', [file], { DATA_DIR: to })).toMatchObject({ status: 0 });
    const [a, b] = [
      await openDatabase({ dataDir: join(from, 'pglite'), migrate: false }),
      await openDatabase({ dataDir: join(to, 'pglite'), migrate: false }),
    ];
    try {
      const expected = await answers(a);
      expect(Object.keys(expected.tables).length).toBeGreaterThan(20);
      expect(await answers(b)).toEqual(expected);
      expect(await overlapRefused(b)).toMatch(/db_engine_probe_no_overlap/);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  it('refuses to restore into a data directory that is not empty', () => {
    const r = script('restore.sh', [file], { DATA_DIR: to });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/is not empty: restore into a fresh DATA_DIR/);
  });
});
