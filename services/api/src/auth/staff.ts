import { recordChange } from '@guichet/audit';
import {
  type Actor,
  type Config,
  PolicyRefusalError,
  type StaffRole,
  systemContext,
  UnavailableError,
} from '@guichet/core';
import { type Database, type DbOrTx, eq, PG, pgError, sql } from '@guichet/db';
import { type DirectoryUser, InvalidCredentialsError, ldapAuthenticate, ldapSettings } from './ldap.js';
import { authStaff } from './tables.js';
import { type IssuedToken, issueSession } from './tokens.js';

export type StaffRow = typeof authStaff.$inferSelect;

/**
 * Creates or refreshes the staff row from what the directory said at login. Both refusals come
 * from PostgreSQL, not from a look-up beforehand: the upsert only updates rows that came from
 * the directory (a local break-glass account with the same username is never taken over), and
 * the unique index on eppn refuses an identity already linked to another account.
 */
export async function upsertDirectoryStaff(db: DbOrTx, user: DirectoryUser, now: Date): Promise<StaffRow> {
  const values = {
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    eppn: user.eppn?.toLowerCase() ?? null,
    roles: user.roles,
    source: 'ldap',
    lastLoginAt: now,
  };
  let row: StaffRow | undefined;
  try {
    [row] = await db
      .insert(authStaff)
      .values(values)
      .onConflictDoUpdate({
        target: authStaff.username,
        set: values,
        setWhere: sql`${authStaff.source} = 'ldap'`,
      })
      .returning();
  } catch (e) {
    if (pgError(e)?.code === PG.uniqueViolation) {
      throw new PolicyRefusalError(
        'eppn-in-use',
        'Your federated identity (eppn) is already linked to another Guichet account; ask an administrator',
      );
    }
    throw e;
  }
  if (!row) {
    throw new PolicyRefusalError(
      'local-account',
      'This username belongs to a local Guichet account and cannot log in through the directory',
    );
  }
  return row;
}

export async function createLocalStaff(
  database: Database,
  input: { username: string; displayName: string; roles: StaffRole[]; email?: string; eppn?: string },
): Promise<StaffRow> {
  const [row] = await database.db
    .insert(authStaff)
    .values({ ...input, eppn: input.eppn?.toLowerCase() ?? null, source: 'local' })
    .returning();
  return row!;
}

export async function findStaffByEppn(database: Database, eppn: string): Promise<StaffRow | undefined> {
  // eduPersonPrincipalName compares case-insensitively; rows store it lower-cased.
  const [row] = await database.db.select().from(authStaff).where(eq(authStaff.eppn, eppn.toLowerCase()));
  return row;
}

export interface LoginResult {
  staff: StaffRow;
  session: IssuedToken;
}

/** LDAP login → staff row → session token. */
export async function loginStaff(
  database: Database,
  config: Config,
  username: string,
  password: string,
  now: Date,
  requestId?: string,
): Promise<LoginResult> {
  const settings = ldapSettings(config);
  if (!settings) {
    // Same answer as a wrong password would leak nothing, but an operator needs to know why.
    throw new UnavailableError('ldap', 'Staff login is not configured on this server (LDAP_URL is unset)');
  }
  const user = await ldapAuthenticate(settings, username.trim(), password);
  // The refreshed row, its session and their change-log rows commit together or not at all.
  return database.db.transaction(async (tx) => {
    const staff = await upsertDirectoryStaff(tx, user, now);
    const session = await issueSession(tx, staff.id, staff.username, now, config.SESSION_TTL_HOURS);
    const ctx = {
      ...systemContext('login'),
      actor: staffActor(staff, {
        method: 'session' as const,
        tokenId: session.token.id,
        scope: 'write' as const,
      }),
      ...(requestId ? { requestId } : {}),
    };
    await recordChange(tx, ctx, {
      action: 'auth.login',
      objectType: 'Staff',
      objectId: staff.id,
      after: { username: staff.username, roles: staff.roles, sessionId: session.token.id },
    });
    return { staff, session };
  });
}

export function staffActor(
  row: StaffRow,
  credential: Extract<Actor, { kind: 'staff' }>['credential'],
): Actor {
  return {
    kind: 'staff',
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    roles: row.roles as StaffRole[],
    credential,
  };
}

export { InvalidCredentialsError };
