import type { Database, Tx } from '@guichet/db';
import { type SQL, sql } from '@guichet/db';

type Row = Record<string, unknown>;

/** What pg-boss calls for every statement (`db` option of the constructor and of `send`). */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

// node-postgres (pg-boss's own driver) sends undefined as NULL; postgres.js refuses it.
const nulls = (values: readonly unknown[]) => values.map((v) => (v === undefined ? null : v));

/**
 * pg-boss over a `Database`, counting the calls in flight so that `stop()` can wait for the
 * ones pg-boss does not await (it writes a job's completion without awaiting it).
 */
export interface TrackedBossDb extends BossDb {
  /** Resolves once no call is in flight (including calls started while waiting). */
  drain(): Promise<void>;
  readonly pending: number;
  /** After close, calls resolve to no rows instead of reaching a database about to close. */
  close(): void;
}

export function databaseAdapter(database: Database, onLateCall: (text: string) => void): TrackedBossDb {
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function run(text: string, values?: unknown[]): Promise<{ rows: Row[] }> {
    // No values: pg-boss's schema migrations and its `BEGIN; … COMMIT;` maintenance plans,
    // several statements in one text, which only the simple protocol accepts. execRows runs
    // them on one connection and rolls back on failure (PGlite has only that connection).
    if (!values || values.length === 0) return { rows: await database.execRows(text) };
    // `query` sends strings as they are, as node-postgres does: pg-boss passes some JSON
    // already stringified (its cron and batch inserts: `json_to_recordset($1)`).
    return { rows: await database.query(text, nulls(values)) };
  }

  return {
    executeSql(text, values) {
      if (closed) {
        onLateCall(text);
        return Promise.resolve({ rows: [] });
      }
      const p = run(text, values);
      inFlight.add(p);
      const forget = () => inFlight.delete(p);
      p.then(forget, forget);
      return p;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    get pending() {
      return inFlight.size;
    },
    close() {
      closed = true;
    },
  };
}

/**
 * pg-boss inside the caller's drizzle transaction: the job row commits or rolls back with
 * the caller's rows. pg-boss sends one parameterised statement per call here.
 */
export function txAdapter(tx: Tx): BossDb {
  return {
    async executeSql(text, values = []) {
      const res: unknown = await tx.execute(sqlFromText(text, values));
      // PGlite's drizzle driver answers { rows }, postgres.js an array of rows.
      return { rows: Array.isArray(res) ? (res as Row[]) : (res as { rows: Row[] }).rows };
    },
  };
}

/**
 * Drizzle SQL for a text with `$n` placeholders. The text is kept verbatim: pg-boss uses one
 * parameter in several places (`$5` both as text and cast to timestamptz), and the server
 * must infer a single type for it — splitting at each `$n` would make separate parameters
 * and fail to bind. Drizzle numbers params `$1…$n` in order of appearance, so listing each
 * value once, in order, in a trailing comment reproduces exactly the original numbering.
 */
export function sqlFromText(text: string, values: readonly unknown[]): SQL {
  if (values.length === 0) return sql.raw(text);
  return sql.join([sql.raw(`${text}\n-- params:`), ...nulls(values).map((v) => sql.param(v))], sql.raw(' '));
}
