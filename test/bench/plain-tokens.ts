import { createHash } from 'node:crypto';
import {
  type Actor,
  STAFF_ROLES,
  type StaffRole,
  type TokenScope,
  UnauthenticatedError,
} from '@guichet/core';
import { and, type Database, desc, eq, or, pgTable, sql, text, timestamp, uuid } from '@guichet/db';
import type { FastifyInstance } from 'fastify';

/*
 * The database work of `{ tokens { … } }` without GraphQL: bearer authentication, then the
 * token list. `authenticate`, `actorForSecret` and `listTokens` are not exported by
 * @guichet/api, and test/ may only import a package's entry (`pnpm deps`, no-deep-import), so
 * this file mirrors them statement for statement (services/api/src/auth/tokens.ts and
 * authenticate.ts). server.ts records the SQL both paths send to PGlite and refuses to start
 * when they differ, so a change on the api side cannot silently skew the ratio.
 * Once @guichet/api exports them, import them here and delete the mirror.
 */

// Same columns in the same order as services/api/src/auth/tables.ts (select() lists them all;
// constraints and indexes do not change the SQL).
const authStaff = pgTable('auth_staff', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  email: text('email'),
  eppn: text('eppn').unique(),
  roles: text('roles').array().notNull(),
  source: text('source').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
});

const authTokens = pgTable('auth_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  hash: text('hash').notNull().unique(),
  kind: text('kind').notNull(),
  scope: text('scope').notNull(),
  principalKind: text('principal_kind').notNull(),
  principalId: text('principal_id').notNull(),
  scriptRoles: text('script_roles').array().notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
});

type TokenRow = typeof authTokens.$inferSelect;

/** authenticate() for the bearer case (the bench sends nothing else). */
async function authenticateBearer(
  database: Database,
  authorization: string | undefined,
  now: Date,
): Promise<Actor> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  const secret = m[1]!;
  if (!secret.startsWith('gch_')) throw new UnauthenticatedError('Invalid token');
  const [row] = await database.db
    .select({ token: authTokens, staff: authStaff })
    .from(authTokens)
    .leftJoin(
      authStaff,
      and(eq(authTokens.principalKind, 'staff'), sql`${authStaff.id}::text = ${authTokens.principalId}`),
    )
    .where(eq(authTokens.hash, createHash('sha256').update(secret).digest('hex')));
  if (!row) throw new UnauthenticatedError('Invalid token');
  const { token, staff } = row;
  if (token.revokedAt) throw new UnauthenticatedError('This token has been revoked');
  if (token.expiresAt <= now) throw new UnauthenticatedError('This token has expired');
  // The same last-used write as the api: at most once per five minutes per token.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= 300_000) {
    await database.db.update(authTokens).set({ lastUsedAt: now }).where(eq(authTokens.id, token.id));
  }
  if (token.principalKind !== 'staff' || !staff) throw new UnauthenticatedError('bench: staff tokens only');
  return {
    kind: 'staff',
    id: staff.id,
    username: staff.username,
    displayName: staff.displayName,
    roles: staff.roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)),
    credential: {
      method: token.kind === 'session' ? 'session' : 'token',
      tokenId: token.id,
      scope: token.scope as TokenScope,
    },
  };
}

/** listTokens() for a staff actor. */
async function listTokens(database: Database, actor: Actor & { kind: 'staff' }): Promise<TokenRow[]> {
  const own = and(eq(authTokens.principalKind, actor.kind), eq(authTokens.principalId, actor.id));
  const where = actor.roles.includes('admin')
    ? undefined
    : or(own, eq(authTokens.createdBy, `staff:${actor.username}`));
  return database.db.select().from(authTokens).where(where).orderBy(desc(authTokens.createdAt)).limit(500);
}

export const PLAIN_PATH = '/bench/plain-tokens';
/** The GraphQL read the plain route stands beside. */
export const GRAPHQL_QUERY = '{ tokens { id name scope createdAt expiresAt } }';

/**
 * Registered on the real app instance, so both routes share its hooks (request id, metrics)
 * and the rate limiter: the ratio then measures yoga + Pothos, not the rest of the stack.
 */
export function registerPlainTokens(app: FastifyInstance, database: Database): void {
  app.route({
    method: 'GET',
    url: PLAIN_PATH,
    config: { rateLimit: {} },
    handler: async (req, reply) => {
      let actor: Actor;
      try {
        actor = await authenticateBearer(database, req.headers.authorization, new Date());
      } catch (e) {
        if (e instanceof UnauthenticatedError) return reply.status(401).send({ error: e.message });
        throw e;
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
