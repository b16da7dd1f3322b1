import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { type Config, ConfigError, DomainError, UnauthenticatedError } from '@guichet/core';
import { parseAddress, parsePrefix } from '@guichet/net';
import type { Env } from '@guichet/workflow';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type AuthenticatorOptions, authenticate } from './auth/authenticate.js';
import { contactAuthOptions } from './auth/contacts.js';
import { hashSecret } from './auth/tokens.js';
import { createGraphQLServer } from './graphql-server.js';
import { createMetrics, registerMetrics } from './metrics.js';

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
    loggerInstance: logger as unknown as FastifyBaseLogger,
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

  await app.register(rateLimit, {
    global: false,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    // One budget per token (so a busy script does not starve its colleagues behind the same
    // NAT), one per address for everybody else.
    keyGenerator: (req) => {
      const auth = req.headers.authorization;
      return auth ? `t:${hashSecret(auth).slice(0, 32)}` : `ip:${req.ip}`;
    },
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await database.query('SELECT 1');
      return { status: 'ready', database: database.engine };
    } catch (err) {
      app.log.warn({ err }, 'readiness: database unreachable');
      return reply.status(503).send({ status: 'unavailable', database: database.engine });
    }
  });
  app.get('/', async (_req, reply) => reply.redirect('/graphql'));

  const yoga = await createGraphQLServer({ env, metrics });
  // Multipart bodies are left for yoga to parse (file uploads, later).
  app.addContentTypeParser('multipart/form-data', {}, (_req, _payload, done) => done(null));
  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    config: { rateLimit: {} },
    preHandler: async (req, reply) => {
      const federated = req.headers[config.FEDERATION_HEADER];
      try {
        req.actor = await authenticate(
          database,
          config,
          {
            authorization: req.headers.authorization,
            federatedId: Array.isArray(federated) ? federated[0] : federated,
            remoteAddress: req.socket.remoteAddress ?? '',
          },
          new Date(),
          auth,
        );
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const status = e instanceof UnauthenticatedError ? 401 : 503;
        if (status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
        return reply.status(status).send({ errors: [{ message: e.message, extensions: { code: e.code } }] });
      }
    },
    handler: async (req, reply) => {
      const res = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      res.headers.forEach((v, k) => {
        reply.header(k, v);
      });
      return reply.status(res.status).send(res.body);
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
