import type { Database } from '@guichet/db';
import { contactActor, contactByEppn } from '@guichet/membership';
import type { AuthenticatorOptions, FederatedResolver } from './authenticate.js';

/**
 * Contacts of member institutions log in too: a token whose principal is a contact resolves
 * through membership (a removed contact, or one of a closed institution, is refused), and so
 * does a federated identity that is no staff member's. The token's own credential (scope,
 * token id) replaces the placeholder given here.
 */
export function contactAuthOptions(database: Database): AuthenticatorOptions {
  const byEppn: FederatedResolver = (db, eppn) => contactByEppn(db.db, eppn);
  return {
    resolveContact: (id) => contactActor(database.db, id, { method: 'token', scope: 'read' }),
    federatedResolvers: [byEppn],
  };
}
