import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { type Actor, DomainError, type Logger, systemClock } from '@guichet/core';
import type { GraphQLContext } from '@guichet/graphql';
import type { Env } from '@guichet/workflow';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
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
    renderGraphiQL,
    landingPage: false,
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
      EnvelopArmorPlugin({
        maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
        maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
        costLimit: { maxCost: config.GRAPHQL_MAX_COST },
        maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
        maxDirectives: { n: 20 },
        blockFieldSuggestion: { enabled: false },
      }),
      logAndCount(logger, metrics),
    ],
  });
}

/**
 * DomainErrors thrown (not returned) keep their message and code; GraphQL's own errors
 * (syntax, validation, scalar parsing, query limits) pass as they are; anything else is a bug
 * and the client sees only "Unexpected error" plus the request id to quote.
 */
function exposeError(error: unknown): Error {
  const gqlError = error instanceof GraphQLError ? error : undefined;
  const domain = findDomainError(error);
  if (domain) {
    return new GraphQLError(domain.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { ...gqlError?.extensions, code: domain.code },
    });
  }
  if (gqlError && (!gqlError.originalError || gqlError.originalError instanceof GraphQLError))
    return gqlError;
  return new GraphQLError('Unexpected error', {
    nodes: gqlError?.nodes,
    path: gqlError?.path,
    extensions: { code: 'INTERNAL' },
  });
}

function findDomainError(error: unknown): DomainError | undefined {
  for (
    let cur = error, depth = 0;
    cur && depth < 4;
    cur = (cur as { originalError?: unknown }).originalError, depth++
  ) {
    if (cur instanceof DomainError) return cur;
  }
  return undefined;
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
              (args.contextValue?.logger ?? logger).error(
                { err: orig, reqId: args.contextValue?.ctx.requestId, path: e.path },
                'resolver failed',
              );
            }
          }
          metrics.graphqlOperations.labels(type, errors.length ? 'error' : 'ok').inc();
        },
      };
    },
  };
}
