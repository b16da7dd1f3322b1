import { check, index, pgTable, sql, text, timestamp, uuid } from '@guichet/db';

/**
 * Operator staff known to Guichet. LDAP logins create/refresh the row (roles come from the
 * directory's groups at each login); `local` rows are the demo account and break-glass admins.
 */
export const authStaff = pgTable(
  'auth_staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    /** Federation identity (eduPersonPrincipalName) when staff also log in through the SAML proxy. */
    eppn: text('eppn').unique(),
    roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
    source: text('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [
    check('auth_staff_source', sql`${t.source} IN ('ldap', 'local')`),
    check('auth_staff_roles', sql`${t.roles} <@ ARRAY['noc', 'desk', 'admin']::text[]`),
  ],
);

/**
 * Bearer credentials. Only the SHA-256 of the secret is stored (the secret is 256 random bits,
 * so a plain hash is enough: there is nothing to brute-force). A row is never deleted, so the
 * change log can always name the token that acted; revocation sets `revoked_at`.
 */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    hash: text('hash').notNull().unique(),
    /** `api`: created by a person for a script or themselves; `session`: from a staff login. */
    kind: text('kind').notNull(),
    scope: text('scope').notNull(),
    principalKind: text('principal_kind').notNull(),
    /** The staff id, the contact id, or for a script the id of this token's script identity. */
    principalId: text('principal_id').notNull(),
    /** Staff roles of a script principal (a staff principal's roles are read live from auth_staff). */
    scriptRoles: text('script_roles').array().notNull().default(sql`'{}'::text[]`),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [
    check('auth_tokens_kind', sql`${t.kind} IN ('api', 'session')`),
    check('auth_tokens_scope', sql`${t.scope} IN ('read', 'write')`),
    check('auth_tokens_principal_kind', sql`${t.principalKind} IN ('staff', 'script', 'contact')`),
    check('auth_tokens_script_roles', sql`${t.scriptRoles} <@ ARRAY['noc', 'desk', 'admin']::text[]`),
    check('auth_tokens_expiry', sql`${t.expiresAt} > ${t.createdAt}`),
    index('auth_tokens_principal').on(t.principalKind, t.principalId),
  ],
);
