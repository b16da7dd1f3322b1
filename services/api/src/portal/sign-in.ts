import { recordChange } from '@guichet/audit';
import { type Actor, type Config, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { loginStaff } from '../auth/staff.js';
import { insertToken, revokeToken } from '../auth/tokens.js';

/**
 * The portal's other ways in, each ending in the same cookie as a token sign-in: the cookie
 * holds a session token (kind `session`, SESSION_TTL_HOURS), so expiry, revocation and the
 * CSRF value work as for any token, and the page never sees the secret.
 */

/** Staff: the directory login of the `login` mutation, same checks, same change-log row. */
export async function staffLoginSession(
  database: Database,
  config: Config,
  username: string,
  password: string,
  requestId: string,
): Promise<string> {
  const { session } = await loginStaff(database, config, username, password, new Date(), requestId);
  return session.secret;
}

/**
 * Federation: the SAML proxy's header already named a staff member or a contact (authenticate
 * resolved it, from a trusted proxy only); the session is theirs, with the scope the federated
 * login gives. Its issue is in the change log, like a login.
 */
export async function federatedSession(
  database: Database,
  config: Config,
  actor: Extract<Actor, { kind: 'staff' | 'contact' }>,
  requestId: string,
): Promise<string> {
  const now = new Date();
  const who = actor.kind === 'staff' ? actor.username : actor.displayName;
  return database.db.transaction(async (tx) => {
    const issued = await insertToken(tx, {
      name: `portal session ${who}`,
      kind: 'session',
      scope: actor.credential.scope,
      principalKind: actor.kind,
      principalId: actor.id,
      scriptRoles: [],
      createdBy: `${actor.kind}:${actor.kind === 'staff' ? actor.username : actor.id}`,
      createdAt: now,
      expiresAt: new Date(now.getTime() + config.SESSION_TTL_HOURS * 3_600_000),
    });
    await recordChange(
      tx,
      {
        ...systemContext('portal', requestId),
        actor: { ...actor, credential: { ...actor.credential, tokenId: issued.token.id } },
      },
      {
        action: 'auth.federatedLogin',
        objectType: actor.kind === 'staff' ? 'Staff' : 'Contact',
        objectId: actor.id,
        after: { sessionId: issued.token.id, scope: actor.credential.scope },
      },
    );
    return issued.secret;
  });
}

/**
 * Sign-out ends a session the portal made (LDAP or federation): its token is revoked, not only
 * its cookie dropped. A personal API token used to sign in stays valid: it is the user's.
 */
export async function endSession(database: Database, actor: Actor, requestId: string): Promise<void> {
  if (actor.kind !== 'staff' && actor.kind !== 'contact') return;
  const { method, tokenId } = actor.credential;
  if (method !== 'session' || !tokenId) return;
  await revokeToken(database, { ...systemContext('portal', requestId), actor }, tokenId);
}
