import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgAsyncDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { pgError } from './errors.js';
import { LOCK_FILE, lockDataDir } from './lock.js';
import {
  currentTemplate,
  LOADING_MARKER,
  migrationNames,
  migrationsFolder,
  unpackTemplate,
} from './template.js';

export { migrationsFolder };

/** The drizzle handle every package uses; the same type for both engines. */
export type Db = PgAsyncDatabase<PgQueryResultHKT>;
/** A transaction handle: what `db.transaction(async (tx) => …)` passes. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either: functions that may run inside or outside a transaction take this. */
export type DbOrTx = Db | Tx;

export type Engine = 'pglite' | 'postgres';

export interface Database {
  engine: Engine;
  db: Db;
  /**
   * Raw parameterised SQL (`$1`…), one statement; returns rows. A string value is sent as the
   * parameter's text on both engines, whatever type the server infers for it (a JSON text for
   * a `json` parameter is that JSON, `'true'` for a boolean is true) — as PGlite and
   * node-postgres send it, and as pg-boss, written for node-postgres, expects.
   */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (simple protocol). */
  exec(text: string): Promise<void>;
  /**
   * Like `exec`, resolving to the rows of the last statement that returns rows. A text that
   * opens its own transaction (`BEGIN; …; COMMIT;`) and fails midway is rolled back before the
   * connection is reused: otherwise it stays in an aborted transaction (on PGlite, the only one).
   */
  execRows<T = Record<string, unknown>>(text: string): Promise<T[]>;
  /**
   * How many statements drizzle has sent since the database was opened (transaction control
   * included): what a test of "no N+1" counts around one GraphQL operation.
   */
  statements(): number;
  /** The embedded instance, when the engine is PGlite (snapshots, direct access in tests). */
  pglite?: PGlite;
  /** Applies every pending migration; safe when several processes start at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A PostgreSQL URL: use the server through postgres.js. Unset: embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files; `memory://` (the default when unset) keeps nothing. */
  dataDir?: string;
  /** Start PGlite from a `dumpDataDir()` tarball (test snapshots). */
  loadDataDir?: Blob;
  /**
   * PGlite: start an empty data directory from the build-time template when one matches this
   * checkout (see template.ts): `false` never, a path to look in another directory than
   * packages/db/dist. In memory never: tests keep their own snapshot.
   */
  template?: false | string;
  /**
   * PGlite's shared_buffers. initdb's 128MB is touched at start, so it is all resident: the
   * embedded server's working set fits in far less (default 32MB).
   */
  sharedBuffers?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** postgres.js pool size. */
  max?: number;
  /** How long opening a server connection may take (postgres.js would wait 30 s). Default 5. */
  connectTimeoutSeconds?: number;
  /** Server-side `statement_timeout` for this pool's sessions; unset or 0: none. */
  statementTimeoutMs?: number;
}

// A fixed key: every Guichet process migrating the same database queues on it.
const MIGRATION_LOCK = 0x6775_6963;

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  const database = opts.url ? await openPostgres(opts.url, opts) : await openPglite(opts);
  if (opts.migrate ?? true) {
    try {
      await database.migrate();
    } catch (e) {
      await database.close();
      throw e;
    }
  }
  return database;
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  const dataDir = opts.dataDir && opts.dataDir !== 'memory://' ? resolve(opts.dataDir) : undefined;
  const loadDataDir = opts.loadDataDir;
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
    if (existsSync(join(dataDir, LOADING_MARKER))) {
      // An earlier start died while unpacking the template: everything here came from it.
      // The entries, not the directory: it may be a mount point (systemd's StateDirectory).
      for (const entry of readdirSync(dataDir)) {
        if (entry !== LOCK_FILE) rmSync(join(dataDir, entry), { recursive: true, force: true });
      }
    }
  }
  try {
    return await startPglite(opts, dataDir, loadDataDir, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function startPglite(
  opts: OpenOptions,
  dataDir: string | undefined,
  loadDataDir: Blob | undefined,
  unlock: () => void,
): Promise<Database> {
  const empty = dataDir !== undefined && readdirSync(dataDir).every((e) => e === LOCK_FILE);
  const template =
    !loadDataDir && empty && opts.template !== false ? currentTemplate(opts.template) : undefined;
  if (dataDir && template) {
    // A start killed while unpacking leaves the marker: the next one starts over (above).
    const marker = join(dataDir, LOADING_MARKER);
    writeFileSync(marker, '');
    unpackTemplate(template, dataDir);
    rmSync(marker);
  }
  const pg = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${opts.sharedBuffers ?? '32MB'}`],
  });
  await pg.waitReady;
  let sent = 0;
  const db = drizzlePglite({ client: pg, logger: { logQuery: () => void sent++ } }) as unknown as Db;
  return {
    engine: 'pglite',
    db,
    statements: () => sent,
    pglite: pg,
    async query<T>(text: string, values: unknown[] = []) {
      return (await pg.query<T>(text, values)).rows;
    },
    async exec(text) {
      await pg.exec(text);
    },
    async execRows<T>(text: string) {
      // Inside pg.transaction() the text runs under PGlite's transaction lock and a failure
      // ends in ROLLBACK; the text's own BEGIN/COMMIT only add a harmless warning.
      const results = await pg.transaction((tx) => tx.exec(text));
      return (results.findLast((r) => r.fields.length > 0)?.rows ?? []) as T[];
    },
    async migrate() {
      // One embedded instance belongs to one process: no lock needed.
      if (await migrationsPending((t) => pg.query<{ name: string | null }>(t).then((r) => r.rows))) {
        await migratePglite(db as never, { migrationsFolder });
      }
    },
    async close() {
      if (!pg.closed) await pg.close();
      unlock();
    },
  };
}

/**
 * The OID of `unknown`: a parameter declared with it is typed by the server from its use, as an
 * unspecified (0) one is, but postgres.js then keeps 705 and, having no serializer for it, sends
 * the string as it is. With 0 it would serialize by the inferred type: JSON.stringify a second
 * time for json/jsonb (`json_typeof($1)` of a JSON array text answers `string`: pg-boss's cron
 * inserts then fail with "cannot call json_to_recordset on a scalar"), 't'/'f' by identity for
 * a boolean (`'true'` becomes false). Only raw `query` does this; drizzle's own parameters,
 * json columns included, keep postgres.js's serializers.
 */
const UNKNOWN_OID = 705;

/**
 * Reconnection delay after the n-th failed attempt in a row, in seconds. postgres.js grows it to
 * 20 s (3^n / 100), so after an outage of a few seconds every request waited up to ~19 s for a
 * connection slot; here it stays under half a second, with jitter so a pool does not stampede.
 */
export const reconnectDelay = (failures: number): number =>
  Math.min(0.025 * 2 ** failures, 0.5) * (0.5 + Math.random() / 2);

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const client = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connect_timeout: opts.connectTimeoutSeconds ?? 5,
    backoff: reconnectDelay,
    ...(opts.statementTimeoutMs ? { connection: { statement_timeout: opts.statementTimeoutMs } } : {}),
    // timestamps and json stay as the driver returns them; drizzle maps column types.
  });
  let sent = 0;
  const db = drizzlePostgres({ client, logger: { logQuery: () => void sent++ } }) as unknown as Db;
  const asText = (v: unknown) => (typeof v === 'string' ? client.typed(v as never, UNKNOWN_OID) : v);
  return {
    engine: 'postgres',
    db,
    statements: () => sent,
    async query<T>(text: string, values: unknown[] = []) {
      return (await client.unsafe(text, values.map(asText) as never[])) as unknown as T[];
    },
    async exec(text) {
      await client.unsafe(text).simple();
    },
    async execRows<T>(text: string) {
      // Reserved: postgres.js refuses BEGIN on a pooled connection, and a failure after BEGIN
      // must be rolled back on that same connection before it goes back to the pool.
      const conn = await client.reserve();
      try {
        const res: unknown[] = await conn.unsafe(text).simple();
        // One result for one statement; several: one per statement that returned rows.
        return (Array.isArray(res[0]) ? (res.at(-1) as T[]) : res) as T[];
      } catch (e) {
        await conn.unsafe('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        conn.release();
      }
    },
    async migrate() {
      // Most starts have nothing to apply: say so with one SELECT, without the lock or the migrator.
      if (!(await migrationsPending((t) => client.unsafe<{ name: string | null }[]>(t)))) return;
      // The advisory lock is held by one reserved connection for the whole run: a second
      // process starting at the same moment waits here instead of racing the same DDL.
      // A pool of its own, without the statement timeout: waiting for another process's
      // migration, or building an index, may take longer than a request may.
      const own = postgres(url, {
        max: 2,
        onnotice: () => {},
        connect_timeout: opts.connectTimeoutSeconds ?? 5,
      });
      try {
        const conn = await own.reserve();
        try {
          await conn`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
          try {
            await migratePostgres(drizzlePostgres({ client: own }) as never, { migrationsFolder });
          } finally {
            await conn`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`;
          }
        } finally {
          conn.release();
        }
      } finally {
        await own.end({ timeout: 5 });
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * True when a migration in the folder is not recorded as applied. The migrator itself decides
 * what to run (under the lock on a server): this only spares it on a start with nothing to do.
 */
async function migrationsPending(select: (text: string) => Promise<{ name: string | null }[]>) {
  let applied: { name: string | null }[];
  try {
    applied = await select('SELECT name FROM drizzle.__drizzle_migrations');
  } catch (e) {
    const code = pgError(e)?.code;
    if (code === '42P01' || code === '3F000') return true; // no table or no schema yet
    throw e;
  }
  const done = new Set(applied.map((r) => r.name));
  return migrationNames().some((n) => !done.has(n));
}

export function defaultDataDir(base: string): string {
  return join(resolve(base), 'pglite');
}
