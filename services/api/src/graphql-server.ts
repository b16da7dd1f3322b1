import { type Actor, DomainError, type Logger, systemClock } from '@guichet/core';
import { isDatabaseUnavailable } from '@guichet/db';
import type { GraphQLContext } from '@guichet/graphql';
import type { Env } from '@guichet/workflow';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { exposeError } from './graphql-errors.js';
import { introspectionCache, queryLimits } from './graphql-limits.js';
import { idempotency } from './idempotency.js';
import type { Metrics } from './metrics.js';
import { buildSchema } from './schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}

export async function createGraphQLServer(deps: { env: Env; metrics: Metrics }) {
  const { env, metrics } = deps;
  const { config, database, logger } = env;
  const schema = await buildSchema();
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    logging: false,
    // Self-contained GraphiQL: operator networks are often offline, so no asset from a CDN.
    graphiql: { title: 'Guichet', defaultEditorToolsVisibility: 'headers' },
    // Loaded on the first GraphiQL page, not at start: it is ~100 ms of the cold start (issue #10).
    renderGraphiQL: async (opts) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(opts),
    landingPage: false,
    // Cross-origin scripts may call the API with a bearer token, never with the portal's cookie:
    // yoga's default echoes any Origin *with* credentials allowed (SameSite=Strict covers it
    // today; this does not rely on it).
    cors: { credentials: false },
    context: ({ req }): GraphQLContext => ({
      ctx: { actor: req.actor, requestId: String(req.id), clock: systemClock },
      database,
      config,
      logger: req.log as unknown as Logger,
      jobs: env.jobs,
      env,
    }),
    maskedErrors: { maskError: (error) => exposeError(error) },
    plugins: [
      queryLimits(config),
      introspectionCache(64, () => metrics.introspectionCacheHits.inc()),
      logAndCount(logger, metrics),
      idempotency(),
    ],
  });
}

/** Logs unexpected errors with the request id (before masking hides them) and counts operations. */
function logAndCount(logger: Logger, metrics: Metrics): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const op = (args.document as DocumentNode).definitions.find((d) => d.kind === 'OperationDefinition');
      const type = op && 'operation' in op ? op.operation : 'unknown';
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          for (const e of errors) {
            const orig = e.originalError;
            if (orig && !(orig instanceof DomainError) && !(orig instanceof GraphQLError)) {
              const log = args.contextValue?.logger ?? logger;
              const at = { reqId: args.contextValue?.ctx.requestId, path: e.path };
              // An outage is not a bug: one line per failed operation, without the stack.
              if (isDatabaseUnavailable(orig)) log.warn({ ...at, err: orig.message }, 'database unavailable');
              else log.error({ ...at, err: orig }, 'resolver failed');
            }
          }
          metrics.graphqlOperations.labels(type, errors.length ? 'error' : 'ok').inc();
        },
      };
    },
  };
}
