/**
 * The guards every field names (Pothos `authScopes`), defined once so that "the NOC, with a
 * write credential" means the same everywhere. Finer rules (a contact's own institution) are
 * decided in the service from the actor, and the authorisation matrix pins both.
 */

/** Anyone, signed in or not (health-like fields only). */
export const PUBLIC = { public: true } as const;
/** Any signed-in caller; the resolver narrows to what they may see. */
export const AUTHENTICATED = { authenticated: true } as const;
/** A write credential; who may write what is the service's rule (a contact files for its own institution). */
export const WRITE = { write: true } as const;
/** Operator staff (any staff role, scripts included), read-only credentials too. */
export const STAFF_READ = { staff: true } as const;
/** The NOC (or an admin) with a write credential. */
export const NOC_WRITE = { $all: { write: true, staffRole: 'noc' } } as const;
/** The agreement desk (or an admin) with a write credential. */
export const DESK_WRITE = { $all: { write: true, staffRole: 'desk' } } as const;
/** An admin with a write credential. */
export const ADMIN_WRITE = { $all: { write: true, staffRole: 'admin' } } as const;
