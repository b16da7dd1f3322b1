import { type Actor, ANONYMOUS, type Config, UnauthenticatedError } from '@guichet/core';
import type { Database } from '@guichet/db';
import { addressInPrefix } from '@guichet/net';
import { findStaffByEppn, staffActor } from './staff.js';
import { actorForSecret } from './tokens.js';

export interface IncomingCredentials {
  authorization?: string | undefined;
  /** The federation header's value, if the request carried one. */
  federatedId?: string | undefined;
  /** The TCP peer (the reverse proxy in production), not a forwarded-for header. */
  remoteAddress: string;
}

/**
 * Resolvers that map a federated identity (eduPersonPrincipalName) to an actor. Staff are
 * resolved here; the membership layer adds contacts when it is composed into the api.
 */
export type FederatedResolver = (database: Database, eppn: string) => Promise<Actor | undefined>;

const staffByEppn: FederatedResolver = async (database, eppn) => {
  const row = await findStaffByEppn(database, eppn);
  return row && staffActor(row, { method: 'federation', scope: 'write' });
};

export interface AuthenticatorOptions {
  federatedResolvers?: FederatedResolver[];
  resolveContact?: (id: string) => Promise<Actor | undefined>;
}

/**
 * Who is calling. A bearer token wins; otherwise the federation header counts only when the
 * TCP peer is one of the configured SAML proxies (anyone else could type the header);
 * otherwise the caller is anonymous. Bad credentials are an error, never a silent downgrade
 * to anonymous, so a script with an expired token fails loudly.
 */
export async function authenticate(
  database: Database,
  config: Config,
  creds: IncomingCredentials,
  now: Date,
  opts: AuthenticatorOptions = {},
): Promise<Actor> {
  if (creds.authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(creds.authorization);
    if (!m) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
    return actorForSecret(database, m[1]!, now, opts.resolveContact);
  }
  const eppn = creds.federatedId?.trim();
  if (eppn && fromTrustedProxy(config, creds.remoteAddress)) {
    for (const resolve of [staffByEppn, ...(opts.federatedResolvers ?? [])]) {
      const actor = await resolve(database, eppn);
      if (actor) return actor;
    }
    throw new UnauthenticatedError('No Guichet account matches this federated identity');
  }
  return ANONYMOUS;
}

export function fromTrustedProxy(config: Config, remoteAddress: string): boolean {
  return config.FEDERATION_TRUSTED_PROXIES.some((p) => addressInPrefix(remoteAddress, p));
}
