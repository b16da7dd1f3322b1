import { createHash, randomBytes } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import {
  type Actor,
  actorLabel,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  STAFF_ROLES,
  type StaffRole,
  type TokenScope,
  UnauthenticatedError,
  ValidationError,
} from '@guichet/core';
import { and, type Database, type DbOrTx, desc, eq, or, sql } from '@guichet/db';
import { authStaff, authTokens } from './tables.js';

/** Secrets look like `gch_<43 base64url chars>`: the prefix lets secret scanners spot leaks. */
export const TOKEN_PREFIX = 'gch_';
const DEFAULT_TTL_DAYS = 90;
const MAX_TTL_DAYS = 730;
const DAY = 86_400_000;

export type TokenRow = typeof authTokens.$inferSelect;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export interface CreateTokenInput {
  name: string;
  scope: TokenScope;
  expiresAt?: Date | null;
  /** Create the token for a script identity holding these staff roles instead of for yourself. */
  script?: { roles: StaffRole[] } | null;
}

export interface IssuedToken {
  token: TokenRow;
  /** Shown once, never stored. */
  secret: string;
}

/** A new API token's name (trimmed, 1 to 100 characters) and its expiry (default, bounded). */
export function tokenTerms(
  input: { name: string; expiresAt?: Date | null },
  now: Date,
  ttl: { defaultDays: number; maxDays: number },
): { name: string; expiresAt: Date } {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw ValidationError.field(['input', 'name'], 'must be 1 to 100 characters');
  }
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + ttl.defaultDays * DAY);
  if (expiresAt <= now) throw ValidationError.field(['input', 'expiresAt'], 'must be in the future');
  if (expiresAt.getTime() > now.getTime() + ttl.maxDays * DAY) {
    throw ValidationError.field(['input', 'expiresAt'], `must be within ${ttl.maxDays} days`);
  }
  return { name, expiresAt };
}

/** A person creates a token for themselves, or staff create one for a script. */
export async function createApiToken(
  database: Database,
  ctx: RequestContext,
  input: CreateTokenInput,
): Promise<IssuedToken> {
  const { actor } = ctx;
  if (actor.kind === 'anonymous') throw new UnauthenticatedError();
  if (!canWrite(actor)) throw new ForbiddenError('A read-only credential cannot create tokens');
  if (actor.kind !== 'staff' && actor.kind !== 'contact') {
    throw new ForbiddenError('Only a person can create tokens');
  }
  const now = ctx.clock.now();
  const { name, expiresAt } = tokenTerms(input, now, {
    defaultDays: DEFAULT_TTL_DAYS,
    maxDays: MAX_TTL_DAYS,
  });
  let principal: { kind: 'staff' | 'script' | 'contact'; id: string; roles: StaffRole[] };
  if (input.script) {
    if (actor.kind !== 'staff') throw new ForbiddenError('Only operator staff create script tokens');
    const roles = [...new Set(input.script.roles)];
    if (roles.length === 0)
      throw ValidationError.field(['input', 'script', 'roles'], 'give at least one role');
    // Nobody hands out more than they hold; an admin may grant any staff role.
    const beyond = roles.filter((r) => !hasStaffRole(actor, r));
    if (beyond.length) {
      throw new PolicyRefusalError(
        'grant-own-roles',
        `You cannot grant roles you do not hold: ${beyond.join(', ')}`,
      );
    }
    principal = { kind: 'script', id: crypto.randomUUID(), roles };
  } else {
    principal = { kind: actor.kind, id: actor.id, roles: [] };
  }
  return database.db.transaction(async (tx) => {
    const issued = await insertToken(tx, {
      name,
      kind: 'api',
      scope: input.scope,
      principalKind: principal.kind,
      principalId: principal.id,
      scriptRoles: principal.roles,
      createdBy: actorLabel(actor),
      createdAt: now,
      expiresAt,
    });
    await recordChange(tx, ctx, {
      action: 'auth.createToken',
      objectType: 'ApiToken',
      objectId: issued.token.id,
      after: publicView(issued.token),
    });
    return issued;
  });
}

/** What the change log keeps of a token: everything but the hash. */
export function publicView(t: TokenRow): Omit<TokenRow, 'hash'> {
  const { hash: _hash, ...rest } = t;
  return rest;
}

/** A staff login's session: a write token that lives `ttlHours`. */
export async function issueSession(
  db: DbOrTx,
  staffId: string,
  username: string,
  now: Date,
  ttlHours: number,
): Promise<IssuedToken> {
  return insertToken(db, {
    name: `session ${username}`,
    kind: 'session',
    scope: 'write',
    principalKind: 'staff',
    principalId: staffId,
    scriptRoles: [],
    createdBy: `staff:${username}`,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000),
  });
}

/** Writes a token row and returns it with its secret (callers decide who may, and audit it). */
export async function insertToken(
  db: DbOrTx,
  values: Omit<typeof authTokens.$inferInsert, 'hash'>,
): Promise<IssuedToken> {
  const secret = newSecret();
  const [token] = await db
    .insert(authTokens)
    .values({ ...values, hash: hashSecret(secret) })
    .returning();
  return { token: token!, secret };
}

/** Tokens the actor may see: their own, the script tokens they created; admins see all. */
export async function listTokens(database: Database, actor: Actor): Promise<TokenRow[]> {
  if (actor.kind !== 'staff' && actor.kind !== 'contact') return [];
  const own = and(eq(authTokens.principalKind, actor.kind), eq(authTokens.principalId, actor.id));
  const where = hasStaffRole(actor, 'admin')
    ? undefined
    : or(own, eq(authTokens.createdBy, actorLabel(actor)));
  return database.db.select().from(authTokens).where(where).orderBy(desc(authTokens.createdAt)).limit(500);
}

/** Revoking twice is harmless: the second call returns the token as it is. */
export async function revokeToken(database: Database, ctx: RequestContext, id: string): Promise<TokenRow> {
  const { actor } = ctx;
  if (!canWrite(actor)) throw new ForbiddenError('A read-only credential cannot revoke tokens');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Token', id);
  return database.db.transaction(async (tx) => {
    // The row lock makes two simultaneous revocations queue: the second sees the first's result
    // and writes no second change-log row.
    const [before] = await tx.select().from(authTokens).where(eq(authTokens.id, id)).for('update');
    if (!before || !mayManage(actor, before)) throw new NotFoundError('Token', id);
    if (before.revokedAt) return before;
    const [row] = await tx
      .update(authTokens)
      .set({ revokedAt: ctx.clock.now() })
      .where(eq(authTokens.id, id))
      .returning();
    await recordChange(tx, ctx, {
      action: 'auth.revokeToken',
      objectType: 'ApiToken',
      objectId: id,
      before: publicView(before),
      after: publicView(row!),
    });
    return row!;
  });
}

function mayManage(actor: Actor, t: TokenRow): boolean {
  if (actor.kind === 'script' || actor.kind === 'anonymous' || actor.kind === 'system') {
    return actor.kind === 'system';
  }
  if (hasStaffRole(actor, 'admin')) return true;
  return (t.principalKind === actor.kind && t.principalId === actor.id) || t.createdBy === actorLabel(actor);
}

/**
 * The actor behind a bearer secret. Unknown, expired and revoked secrets each get their own
 * message: whoever holds an expired secret already knew it existed, so nothing leaks.
 */
export async function actorForSecret(
  database: Database,
  secret: string,
  now: Date,
  resolveContact?: (id: string) => Promise<Actor | undefined>,
): Promise<Actor> {
  if (!secret.startsWith(TOKEN_PREFIX)) throw new UnauthenticatedError('Invalid token');
  const [row] = await database.db
    .select({ token: authTokens, staff: authStaff })
    .from(authTokens)
    .leftJoin(
      authStaff,
      and(eq(authTokens.principalKind, 'staff'), sql`${authStaff.id}::text = ${authTokens.principalId}`),
    )
    .where(eq(authTokens.hash, hashSecret(secret)));
  if (!row) throw new UnauthenticatedError('Invalid token');
  const { token, staff } = row;
  if (token.revokedAt) throw new UnauthenticatedError('This token has been revoked');
  if (token.expiresAt <= now) throw new UnauthenticatedError('This token has expired');
  await touch(database, token, now);
  const credential = {
    method: token.kind === 'session' ? ('session' as const) : ('token' as const),
    tokenId: token.id,
    scope: token.scope as TokenScope,
  };
  switch (token.principalKind) {
    case 'staff':
      if (!staff) throw new UnauthenticatedError('Invalid token');
      return {
        kind: 'staff',
        id: staff.id,
        username: staff.username,
        displayName: staff.displayName,
        roles: staff.roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)),
        credential,
      };
    case 'script':
      return {
        kind: 'script',
        id: token.principalId,
        name: token.name,
        roles: token.scriptRoles as StaffRole[],
        credential,
      };
    default: {
      const contact = await resolveContact?.(token.principalId);
      if (contact?.kind !== 'contact') throw new UnauthenticatedError('Invalid token');
      return { ...contact, credential };
    }
  }
}

// Recording every use would turn each read into a write; once per five minutes is enough to
// tell a live script from a forgotten one.
async function touch(database: Database, token: TokenRow, now: Date): Promise<void> {
  if (token.lastUsedAt && now.getTime() - token.lastUsedAt.getTime() < 300_000) return;
  await database.db.update(authTokens).set({ lastUsedAt: now }).where(eq(authTokens.id, token.id));
}
