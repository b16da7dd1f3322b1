import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Actor, newRequestContext, type RequestContext } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import postgres from 'postgres';
import type { LoadReport } from './load.js';
import { start, stop, waitFor } from './util.js';

/*
 * A `pnpm bench` section that runs in a child process (its RSS and its connection pool are its
 * own) on a throwaway database: a fresh PostgreSQL database when run.ts passes an admin URL
 * (BENCH_DATABASE_URL), else in-memory PGlite. The child prints {"dbName": …} first, so that the
 * parent can drop the database if it has to kill the child, then {"report": LoadReport}; it
 * drops its database itself on the way out, SIGTERM included. Used by ipam.ts and
 * rdns-recheck.ts, each both the parent's section and the child's entry point.
 */

/** One statement (CREATE / DROP DATABASE) on the admin database, over a connection of its own. */
async function onAdmin(adminUrl: string, statement: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(statement).finally(() => admin.end());
}

const dropDatabase = (adminUrl: string, dbName: string) =>
  onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});

// ---------------------------------------------------------------------------------------------
// Parent side (run.ts)

export interface ChildOptions {
  /** Node flags before `--import tsx` (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** How long the child may take to print its report once its database is named, ms. */
  reportTimeoutMs: number;
}

/** Runs `script` (relative to the repository root) in a child and returns its report. */
export async function runChildSection(
  script: string,
  adminUrl: string | undefined,
  opts: ChildOptions,
): Promise<LoadReport> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATABASE_URL: adminUrl ?? '' };
  const child = start(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], env);
  let dbName: string | undefined;
  try {
    const hello = await waitFor(child, /^\{"dbName".*\}$/m, 120_000);
    dbName = (JSON.parse(hello[0]) as { dbName?: string }).dbName;
    const m = await waitFor(child, /^\{"report".*\}$/m, opts.reportTimeoutMs);
    return (JSON.parse(m[0]) as { report: LoadReport }).report;
  } finally {
    const clean = await stop(child);
    // The child drops its database on the way out; if it had to be killed, do it here.
    if (!clean && adminUrl && dbName) await dropDatabase(adminUrl, dbName);
  }
}

// ---------------------------------------------------------------------------------------------
// Child side

export interface ChildSection {
  /** In the database's name: guichet_bench_<name>_<pid>_<random>. */
  name: string;
  /** The connection pool's size on PostgreSQL. */
  max: number;
  measure(database: Database, engine: string): Promise<LoadReport>;
  /** Runs first on the way out (SIGTERM included), before the database is closed. */
  cleanup?: () => Promise<unknown>;
}

/** Runs `section` when the module at `moduleUrl` (its import.meta.url) is the process's entry. */
export function childEntry(moduleUrl: string, section: ChildSection): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  childMain(section).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

async function childMain(section: ChildSection): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL || undefined;
  // The name carries the pid, like server.ts; announced first so run.ts can drop it if need be.
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbName = adminUrl ? `guichet_bench_${section.name}_${suffix}` : undefined;
  process.stdout.write(`${JSON.stringify({ dbName: dbName ?? null })}\n`);
  let database: Database | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await section.cleanup?.().catch(() => {});
      await database?.close().catch(() => {});
      if (adminUrl && dbName) await dropDatabase(adminUrl, dbName);
    })());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => void cleanup().finally(() => process.exit(143)));
  }

  let report: LoadReport;
  try {
    let engine = 'in-memory PGlite (nothing answered at 127.0.0.1:5432)';
    if (adminUrl && dbName) {
      await onAdmin(adminUrl, `CREATE DATABASE ${dbName}`);
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      database = await openDatabase({ url: url.toString(), max: section.max });
      const [v] = await database.query<{ server_version: string }>('SHOW server_version');
      engine = `PostgreSQL ${v!.server_version} (throwaway database)`;
    } else {
      database = await openDatabase({});
    }
    report = await section.measure(database, engine);
  } finally {
    await cleanup();
  }
  process.stdout.write(`${JSON.stringify({ report })}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Seeding helpers shared by the sections

const noc: Actor = {
  kind: 'staff',
  id: '00000000-0000-4000-8000-000000000001',
  username: 'bench-noc',
  displayName: 'Bench NOC',
  roles: ['noc'],
  credential: { method: 'session', scope: 'write' },
};

/** A NOC staff member's request context, for createPool, allocatePrefix… */
export const nocContext = (): RequestContext => newRequestContext({ actor: noc });

/** The RPSL contacts a pool needs. */
export const RPSL = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['EXAMPLE-MNT'], country: 'FR' };
