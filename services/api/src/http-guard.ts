import type { Actor } from '@guichet/core';
import { type Database, DatabaseTimeoutError, isDatabaseUnavailable } from '@guichet/db';
import { truncateEcho } from '@guichet/graphql';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE } from './graphql-errors.js';

/**
 * What the HTTP layer never lets out, whatever failed: no SQL, no stack, no internal message in
 * a body; no secret from a URL in a log line; no request that waits on a dead database longer
 * than its own deadline.
 */

/** How long /readyz waits for `SELECT 1` before it says the database is not ready. */
export const READY_TIMEOUT_MS = 2000;

/** `/graphql?query=…&access_token=…` → `/graphql?query=[redacted]&access_token=[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=', 1)[0]!.slice(0, 64);
      return pair.includes('=') ? `${name}=[redacted]` : name;
    });
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** Fastify's request serializer, with the query string's values left out. */
export function requestSerializer(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function sendUnavailable(reply: FastifyReply): FastifyReply {
  return reply
    .status(503)
    .header('retry-after', String(RETRY_AFTER_SECONDS))
    .send({ errors: [{ message: UNAVAILABLE_MESSAGE, extensions: { code: 'UNAVAILABLE' } }] });
}

/**
 * The last word on any error that escapes a route. An outage is a 503 with `Retry-After`; a
 * client error keeps its status and (shortened) message; anything else is a 500 saying only
 * "Unexpected error" and the request id to quote — the details go to the log.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err: err.message }, 'database unavailable');
      return sendUnavailable(reply);
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({
        errors: [{ message: truncateEcho(err.message), extensions: { code: err.code ?? `HTTP_${status}` } }],
      });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({
      errors: [{ message: 'Unexpected error', extensions: { code: 'INTERNAL', requestId: req.id } }],
    });
  });
}

/** `SELECT 1` within `READY_TIMEOUT_MS`, or false: the probe never hangs on a dead server. */
export async function databaseReady(database: Database, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      database.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeoutError('SELECT 1', timeoutMs)), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The rate-limit budget a request draws on: its resolved credential (the token or session, so
 * `bearer`, `BEARER` or extra spaces change nothing), or the client address when it is
 * anonymous or its credential was refused (so guessing tokens is limited too).
 */
export function rateLimitKey(req: FastifyRequest): string {
  const actor: Actor | undefined = req.authFailed ? undefined : req.actor;
  if (!actor || actor.kind === 'anonymous' || actor.kind === 'system') return `ip:${req.ip}`;
  return `c:${actor.kind}:${actor.credential.tokenId ?? actor.id}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the credential was refused: the answer (401) is sent after the rate limit. */
    authFailed?: { status: number; message: string; code: string };
  }
}
