import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { type Config, ConfigError, DomainError, UnauthenticatedError } from '@guichet/core';
import { isDatabaseUnavailable } from '@guichet/db';
import { parseAddress, parsePrefix } from '@guichet/net';
import { type Env, endSubscriptions } from '@guichet/workflow';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type AuthenticatorOptions, authenticate } from './auth/authenticate.js';
import { contactAuthOptions } from './auth/contacts.js';
import { RETRY_AFTER_SECONDS } from './graphql-errors.js';
import { answerFast, fastParams, jsonMediaType } from './graphql-fast-path.js';
import { createGraphQLServer } from './graphql-server.js';
import {
  databaseReady,
  installErrorHandler,
  rateLimitKey,
  requestSerializer,
  sendUnavailable,
} from './http-guard.js';
import { createMetrics, registerMetrics } from './metrics.js';
import { CSRF_HEADER, csrfOk, registerSessionRoutes, sessionSecret } from './portal/session.js';
import { registerPortal } from './portal/static.js';

export interface AppDeps {
  /** The composed env: database, configuration, job runner, the service lines. */
  env: Env;
  auth?: AuthenticatorOptions;
}

// A client-supplied request id is kept only if it is short and plain: it ends up in logs and
// in the change log, so it must not carry newlines or megabytes.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { env } = deps;
  const { config, database } = env;
  const { logger } = env;
  checkTrustedProxies(config);
  const app = Fastify({
    // pino's Logger is what fastify wants at run time; its type is stricter than fastify's.
    // The request serializer leaves query-string values out of the log (a token may be there).
    loggerInstance: logger.child(
      {},
      { serializers: { req: requestSerializer } },
    ) as unknown as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  // Contacts authenticate through membership; options a caller passes take precedence.
  const auth: AuthenticatorOptions = { ...contactAuthOptions(database), ...deps.auth };
  const metrics = createMetrics();
  registerMetrics(app, metrics);

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installErrorHandler(app);

  await app.register(rateLimit, {
    global: false,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    // Counted after authentication: one budget per credential (so a busy script does not
    // starve its colleagues behind the same NAT), one per address for everybody else —
    // including every request whose credential was refused.
    hook: 'preHandler',
    keyGenerator: rateLimitKey,
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (await databaseReady(database)) return { status: 'ready', database: database.engine };
    app.log.warn('readiness: database unreachable');
    return reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ status: 'unavailable', database: database.engine });
  });
  // The portal at `/` (services/web) and its cookie session; GraphiQL stays at /graphql.
  await registerPortal(app);
  registerSessionRoutes(app, { database, config, auth });

  const yoga = await createGraphQLServer({ env, metrics });
  // Live streams never end by themselves: end them, or close() would wait on them forever.
  app.addHook('preClose', async () => endSubscriptions(database));
  // Multipart bodies are left for yoga to parse (file uploads, later).
  app.addContentTypeParser('multipart/form-data', {}, (_req, _payload, done) => done(null));
  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    config: { rateLimit: {} },
    preHandler: async (req, reply) => {
      const federated = req.headers[config.FEDERATION_HEADER];
      // The portal's cookie stands for the Authorization header, never beside it.
      const cookieSecret = req.headers.authorization === undefined ? sessionSecret(req) : undefined;
      if (cookieSecret && req.method !== 'GET' && !csrfOk(req, cookieSecret)) {
        req.authFailed = {
          status: 403,
          message: `A cookie session needs the ${CSRF_HEADER} header it was given at sign-in`,
          code: 'FORBIDDEN',
        };
        return;
      }
      try {
        req.actor = await authenticate(
          database,
          config,
          {
            authorization: req.headers.authorization ?? (cookieSecret && `Bearer ${cookieSecret}`),
            federatedId: Array.isArray(federated) ? federated[0] : federated,
            remoteAddress: req.socket.remoteAddress ?? '',
          },
          new Date(),
          auth,
        );
      } catch (e) {
        if (isDatabaseUnavailable(e)) return sendUnavailable(reply);
        if (!(e instanceof DomainError)) throw e;
        // Answered by the handler, once the rate limit (keyed on the address) has counted it.
        req.authFailed = {
          status: e instanceof UnauthenticatedError ? 401 : 503,
          message: e.message,
          code: e.code,
        };
      }
    },
    handler: async (req, reply) => {
      const failed = req.authFailed;
      if (failed) {
        if (failed.status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
        return reply
          .status(failed.status)
          .send({ errors: [{ message: failed.message, extensions: { code: failed.code } }] });
      }
      const params = fastParams(req);
      const mediaType = params && jsonMediaType(req.headers.accept);
      if (params && mediaType) return answerFast(yoga, req, reply, params, mediaType);
      const res = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      res.headers.forEach((v, k) => {
        reply.header(k, v);
      });
      reply.status(res.status);
      // A single JSON result is sent as one buffer: piping the web stream through Node's costs
      // more than the query itself on a small read. Anything else (event streams, multipart
      // incremental delivery) still streams.
      if (/^application\/(graphql-response\+)?json/.test(res.headers.get('content-type') ?? '')) {
        return reply.send(Buffer.from(await res.arrayBuffer()));
      }
      return reply.send(res.body);
    },
  });
  return app;
}

function checkTrustedProxies(config: Config): void {
  for (const p of config.FEDERATION_TRUSTED_PROXIES) {
    try {
      if (p.includes('/')) parsePrefix(p);
      else parseAddress(p);
    } catch {
      throw new ConfigError(
        `Invalid configuration:\n  FEDERATION_TRUSTED_PROXIES: "${p}" is not an address or prefix`,
      );
    }
  }
}
