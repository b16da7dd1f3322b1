import { authenticate, listTokens } from '@guichet/api';
import type { Actor, Config } from '@guichet/core';
import type { Database } from '@guichet/db';
import type { FastifyInstance } from 'fastify';

/*
 * The database work of `{ tokens { … } }` without GraphQL: the api's own bearer
 * authentication and token listing, called directly, so the ratio measures yoga + Pothos.
 */

export const PLAIN_PATH = '/bench/plain-tokens';
/** The GraphQL read the plain route stands beside. */
export const GRAPHQL_QUERY = '{ tokens { id name scope createdAt expiresAt } }';

/**
 * Registered on the real app instance, so both routes share its hooks (request id, metrics)
 * and the rate limiter: the ratio then measures yoga + Pothos, not the rest of the stack.
 */
export function registerPlainTokens(app: FastifyInstance, database: Database, config: Config): void {
  app.route({
    method: 'GET',
    url: PLAIN_PATH,
    config: { rateLimit: {} },
    handler: async (req, reply) => {
      let actor: Actor;
      try {
        actor = await authenticate(
          database,
          config,
          { authorization: req.headers.authorization, remoteAddress: req.ip },
          new Date(),
        );
      } catch (e) {
        return reply.status(401).send({ error: (e as Error).message });
      }
      if (actor.kind !== 'staff') return reply.status(403).send({ error: 'staff only' });
      const rows = await listTokens(database, actor);
      // The fields the GraphQL query selects, serialised the same way (DateTime → ISO string).
      return {
        tokens: rows.map((r) => ({
          id: r.id,
          name: r.name,
          scope: r.scope.toUpperCase(),
          createdAt: r.createdAt.toISOString(),
          expiresAt: r.expiresAt.toISOString(),
        })),
      };
    },
  });
}
