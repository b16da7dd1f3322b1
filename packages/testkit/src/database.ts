import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Database, openDatabase } from '@guichet/db';
import postgres from 'postgres';
import { inject } from 'vitest';

/**
 * A fresh, migrated database for one test file.
 * - Default: an in-memory PGlite restored from the snapshot the global setup made (≈1 s instead
 *   of ≈3 s of initdb per file).
 * - With TEST_DATABASE_URL: a new database on that server, created for this file and dropped
 *   by `close()`, so files never see each other's rows.
 */
export async function freshDatabase(): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return freshServerDatabase(serverUrl);
  const snapshot = safeInject();
  const loadDataDir = snapshot ? new Blob([readFileSync(snapshot)]) : undefined;
  // A snapshot is already migrated; migrating again is a cheap no-op that also proves it.
  return openDatabase({ ...(loadDataDir ? { loadDataDir } : {}) });
}

function safeInject(): string | undefined {
  try {
    return inject('pgliteSnapshot') || undefined;
  } catch {
    return undefined;
  }
}

async function freshServerDatabase(serverUrl: string): Promise<Database> {
  const name = `guichet_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), max: 8 });
  return {
    ...database,
    async close() {
      await database.close();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** The URL of a per-file server database (for code that opens its own connections). */

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}
