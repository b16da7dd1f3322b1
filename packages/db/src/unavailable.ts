/**
 * Whether an error means "the database cannot be reached right now" rather than "this query is
 * wrong": the first is an outage (answer 503, try again later), the second a bug.
 *
 * drizzle wraps the driver's error (`Failed query: …`, with the SQL) in `cause`; postgres.js
 * names its own connection failures with a `code` (`CONNECTION_CLOSED`, `CONNECT_TIMEOUT`…),
 * Node's sockets with an errno code, and the server with a SQLSTATE (class 08, or 57P0x when it
 * is shutting down or starting up).
 */

const DRIVER_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (pg_ctl stop -m fast/immediate)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or in recovery
  '53300', // too_many_connections
  '57014', // query_canceled: our statement_timeout — the server is too slow to answer now
]);

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const o = cur as { code?: unknown; cause?: unknown; originalError?: unknown };
    // The embedded engine has one way to be unavailable: closed under the process.
    if (cur instanceof Error && cur.message === 'PGlite is closed') return true;
    if (typeof o.code === 'string') {
      if (DRIVER_CODES.has(o.code) || SQLSTATES.has(o.code) || o.code.startsWith('08')) return true;
    }
    // AggregateError (one per address tried) carries its causes in `errors`.
    const many = (cur as { errors?: unknown }).errors;
    if (Array.isArray(many) && many.some((x) => isDatabaseUnavailable(x))) return true;
    // GraphQL wraps in `originalError`, drizzle in `cause`.
    cur = o.cause ?? o.originalError;
  }
  return false;
}

/** Thrown by our own deadlines (the readiness probe, a query that did not answer in time). */
export class DatabaseTimeoutError extends Error {
  readonly code = 'CONNECT_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`the database did not answer ${what} within ${ms} ms`);
  }
}
