/**
 * Who is acting. Authentication (services/api) builds it; every layer reads it; authorisation
 * rules decide from it alone. The membership package adds contacts; the kinds here are the
 * ones authentication itself needs.
 */

export const STAFF_ROLES = ['noc', 'desk', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * Roles a contact holds in their institution. `head` is the head of institution (legal
 * representative), who signs the agreement and the changes that need a signature.
 */
export const CONTACT_ROLES = [
  'head',
  'technical',
  'security',
  'service',
  'administrative',
  'eduroam',
  'federation',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export type TokenScope = 'read' | 'write';

/** How the actor proved who they are: which token (if any) and what it allows. */
export interface Credential {
  method: 'token' | 'session' | 'federation' | 'system';
  tokenId?: string;
  scope: TokenScope;
}

export type Actor =
  | { kind: 'anonymous' }
  | {
      kind: 'staff';
      id: string;
      username: string;
      displayName: string;
      roles: StaffRole[];
      credential: Credential;
    }
  | {
      /** A script acting for the operator, created by staff; holds staff roles of its own. */
      kind: 'script';
      id: string;
      name: string;
      roles: StaffRole[];
      credential: Credential;
    }
  | {
      kind: 'contact';
      id: string;
      displayName: string;
      institutionId: string;
      roles: ContactRole[];
      credential: Credential;
    }
  | { kind: 'system'; name: string };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

export function staffRoles(actor: Actor): StaffRole[] {
  return actor.kind === 'staff' || actor.kind === 'script' ? actor.roles : [];
}

export function hasStaffRole(actor: Actor, ...roles: StaffRole[]): boolean {
  const own = staffRoles(actor);
  // admin implies every staff role: an operator's administrator can stand in for anyone.
  return own.includes('admin') || roles.some((r) => own.includes(r));
}

/** Whether the actor's credential allows writes (read-only tokens never do). */
export function canWrite(actor: Actor): boolean {
  if (actor.kind === 'anonymous') return false;
  if (actor.kind === 'system') return true;
  return actor.credential.scope === 'write';
}

/** A stable text form for change logs: `staff:alice`, `script:backup`, `contact:<id>`. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'system':
      return `system:${actor.name}`;
    case 'staff':
      return `staff:${actor.username}`;
    case 'script':
      return `script:${actor.name}`;
    case 'contact':
      return `contact:${actor.id}`;
  }
}

/** The operator's side: staff, their scripts and Guichet itself (they read every institution). */
export function isStaff(actor: Actor): boolean {
  return actor.kind === 'staff' || actor.kind === 'script' || actor.kind === 'system';
}
