import type { Database } from '@guichet/db';
import type { Envelope } from './define.js';

export const BOSS_SCHEMA = 'pgboss';

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** A job as an operator sees it: where it stands, how many runs, why the last one failed. */
export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  /** The payload as sent. */
  data: unknown;
  /** Handler runs started so far (retryCount + 1 once the first run started). */
  attempts: number;
  retryCount: number;
  retryLimit: number;
  /** The message of the most recent failure, kept after a later attempt succeeds. */
  lastError: string | null;
  /** pg-boss's raw output column: the serialised error, or the completion record. */
  output: unknown;
  createdOn: Date;
  /** When it may run next (retries are pushed back by their delay). */
  startAfter: Date;
  startedOn: Date | null;
  completedOn: Date | null;
}

/** What the runner stores as a completed job's output. */
export interface CompletionRecord {
  attempts: number;
  lastError: string | null;
}

interface JobRow {
  id: string;
  name: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  data: Envelope | null;
  output: unknown;
  created_ms: number;
  start_after_ms: number;
  started_ms: number | null;
  completed_ms: number | null;
}

// Epoch milliseconds as float8: both drivers return a number, whereas drizzle's postgres.js
// setup leaves timestamptz as text and PGlite parses it to Date.
const ms = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;
const columns = `id::text AS id, name, state::text AS state, retry_count, retry_limit, data, output,
  ${ms('created_on')} AS created_ms, ${ms('start_after')} AS start_after_ms,
  ${ms('started_on')} AS started_ms, ${ms('completed_on')} AS completed_ms`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a job from the live table, then from the archive (where pg-boss moves finished jobs
 * after 12 h and keeps them 7 days). Without a name every queue's partition is scanned.
 */
export async function readJob(database: Database, id: string, name?: string): Promise<JobInfo | null> {
  if (!UUID.test(id)) return null;
  const where = name === undefined ? 'id = $1' : 'id = $1 AND name = $2';
  const values = name === undefined ? [id] : [id, name];
  const rows = await database.query<JobRow>(
    `SELECT ${columns} FROM ${BOSS_SCHEMA}.job WHERE ${where}
     UNION ALL
     SELECT ${columns} FROM ${BOSS_SCHEMA}.archive WHERE ${where}
     LIMIT 1`,
    values,
  );
  const row = rows[0];
  return row ? toJobInfo(row) : null;
}

function toJobInfo(r: JobRow): JobInfo {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    data: r.data && typeof r.data === 'object' && 'payload' in r.data ? r.data.payload : r.data,
    attempts: r.started_ms === null ? 0 : r.retry_count + 1,
    retryCount: r.retry_count,
    retryLimit: r.retry_limit,
    lastError: lastError(r.output),
    output: r.output,
    createdOn: new Date(r.created_ms),
    startAfter: new Date(r.start_after_ms),
    startedOn: r.started_ms === null ? null : new Date(r.started_ms),
    completedOn: r.completed_ms === null ? null : new Date(r.completed_ms),
  };
}

/**
 * pg-boss writes failures in several shapes: a serialised Error `{ name, message, stack }`,
 * a text wrapped as `{ value }` (shutdown), `{ value: { message } }` (expiry); the runner's
 * completion record carries the last failure forward.
 */
export function lastError(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const o = output as Record<string, unknown>;
  if ('attempts' in o) return typeof o.lastError === 'string' ? o.lastError : null;
  if (typeof o.message === 'string') return o.message;
  if (typeof o.value === 'string') return o.value;
  if (o.value && typeof o.value === 'object') return lastError(o.value);
  return null;
}
