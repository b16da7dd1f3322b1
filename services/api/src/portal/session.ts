import { createHash, timingSafeEqual } from 'node:crypto';
import { type Config, DomainError, UnauthenticatedError } from '@guichet/core';
import { type Database, isDatabaseUnavailable } from '@guichet/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuthenticatorOptions, authenticate, fromTrustedProxy } from '../auth/authenticate.js';
import { sendUnavailable } from '../http-guard.js';
import { endSession, federatedSession, staffLoginSession } from './sign-in.js';

/**
 * The portal's session: the browser hands its API token once (POST /session) and gets it back
 * as an HttpOnly, SameSite=Strict cookie, so page scripts never hold it. The cookie is the
 * token itself — the same credential, expiry, scope and revocation as the Authorization
 * header, checked by the same `authenticate` at each request; nothing is stored server-side.
 *
 * CSRF: a cookie-authenticated request other than GET must carry `x-guichet-csrf`, a value
 * derived from the token (sha256 with a fixed label). Another site can neither read the cookie
 * nor the value, and a custom header forces a CORS preflight the api never grants. GET stays
 * open because Yoga never runs a mutation over GET.
 */

export const SESSION_COOKIE = 'guichet_session';
export const CSRF_HEADER = 'x-guichet-csrf';

export const csrfOf = (secret: string): string =>
  createHash('sha256').update(`guichet-csrf\0${secret}`).digest('base64url');

/** The session cookie's token, if the request carries one. */
export function sessionSecret(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      return value || undefined;
    }
  }
  return undefined;
}

export function csrfOk(req: FastifyRequest, secret: string): boolean {
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(csrfOf(secret));
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(config: Config, value: string, maxAge?: number): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  // Behind TLS (PUBLIC_URL https) the cookie never travels in clear.
  if (config.PUBLIC_URL?.startsWith('https:')) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  return parts.join('; ');
}

/** HTTP status of a typed refusal at sign-in. */
const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  POLICY_REFUSAL: 403,
  UNAVAILABLE: 503,
};

const refused = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.status(status).send({ error: { code, message } });

export function registerSessionRoutes(
  app: FastifyInstance,
  deps: { database: Database; config: Config; auth: AuthenticatorOptions },
): void {
  const { database, config, auth } = deps;
  const who = async (req: FastifyRequest, reply: FastifyReply, secret: string) => {
    try {
      const actor = await authenticate(
        database,
        config,
        { authorization: `Bearer ${secret}`, remoteAddress: req.socket.remoteAddress ?? '' },
        new Date(),
        auth,
      );
      // The page asks `viewer` over GraphQL for the rest: one source of truth for who this is.
      return { csrf: csrfOf(secret), kind: actor.kind.toUpperCase() };
    } catch (e) {
      if (isDatabaseUnavailable(e)) return sendUnavailable(reply);
      if (e instanceof UnauthenticatedError) return refused(reply, 401, e.code, e.message);
      if (e instanceof DomainError) return refused(reply, 503, e.code, e.message);
      throw e;
    }
  };

  const failed = (reply: FastifyReply, e: unknown) => {
    if (isDatabaseUnavailable(e)) return sendUnavailable(reply);
    if (!(e instanceof DomainError)) throw e;
    const status = STATUS[e.code] ?? 400;
    return refused(reply, status, e.code, e.message);
  };
  const federatedId = (req: FastifyRequest): string | undefined => {
    const h = req.headers[config.FEDERATION_HEADER];
    const v = (Array.isArray(h) ? h[0] : h)?.trim();
    return v && fromTrustedProxy(config, req.socket.remoteAddress ?? '') ? v : undefined;
  };
  const signedIn = async (req: FastifyRequest, reply: FastifyReply, secret: string) => {
    const answer = await who(req, reply, secret);
    if (answer && 'csrf' in answer) reply.header('set-cookie', cookie(config, secret));
    return answer;
  };
  const field = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 256;

  // Sign in. JSON only (fastify answers 415 to anything else): a cross-site form cannot post it.
  app.post('/session', { config: { rateLimit: {} } }, async (req, reply) => {
    const body = (req.body ?? {}) as {
      token?: unknown;
      username?: unknown;
      password?: unknown;
      federation?: unknown;
    };
    if (body.username !== undefined || body.password !== undefined) {
      if (!field(body.username) || !field(body.password)) {
        return refused(
          reply,
          400,
          'VALIDATION',
          'username, password: both are required (at most 256 characters)',
        );
      }
      let secret: string;
      try {
        secret = await staffLoginSession(
          database,
          config,
          String(body.username),
          String(body.password),
          req.id,
        );
      } catch (e) {
        return failed(reply, e);
      }
      return signedIn(req, reply, secret);
    }
    if (body.federation === true) {
      const eppn = federatedId(req);
      if (!eppn) {
        return refused(reply, 401, 'UNAUTHENTICATED', 'No federated identity from the trusted proxy');
      }
      let secret: string;
      try {
        const actor = await authenticate(
          database,
          config,
          { federatedId: eppn, remoteAddress: req.socket.remoteAddress ?? '' },
          new Date(),
          auth,
        );
        if (actor.kind !== 'staff' && actor.kind !== 'contact') {
          return refused(reply, 401, 'UNAUTHENTICATED', 'No Guichet account matches this federated identity');
        }
        secret = await federatedSession(database, config, actor, req.id);
      } catch (e) {
        return failed(reply, e);
      }
      return signedIn(req, reply, secret);
    }
    const token = body.token;
    if (typeof token !== 'string' || !/^\S{1,512}$/.test(token.trim())) {
      return refused(reply, 400, 'VALIDATION', 'token: an API token is required');
    }
    return signedIn(req, reply, token.trim());
  });

  // Where the page stands after a reload: the cookie is HttpOnly, so only the server can say.
  app.get('/session', async (req, reply) => {
    const secret = sessionSecret(req);
    // Behind the SAML proxy the page may offer "sign in with your institution's account".
    if (!secret) {
      return reply.status(401).send({
        error: { code: 'UNAUTHENTICATED', message: 'No session' },
        federation: federatedId(req) !== undefined,
      });
    }
    return who(req, reply, secret);
  });

  // Sign out: the cookie goes; the token itself stays valid (it is the user's API token).
  app.delete('/session', async (req, reply) => {
    const secret = sessionSecret(req);
    if (secret && !csrfOk(req, secret)) {
      return refused(reply, 403, 'FORBIDDEN', `Signing out needs the ${CSRF_HEADER} header`);
    }
    if (secret) {
      try {
        const actor = await authenticate(
          database,
          config,
          { authorization: `Bearer ${secret}`, remoteAddress: req.socket.remoteAddress ?? '' },
          new Date(),
          auth,
        );
        await endSession(database, actor, req.id);
      } catch (e) {
        // An expired or revoked session ends all the same: only the cookie is left to drop.
        if (!(e instanceof UnauthenticatedError)) return failed(reply, e);
      }
    }
    return reply
      .header('set-cookie', cookie(config, '', 0))
      .status(204)
      .send();
  });
}
