import { type Actor, type ContactRole, canWrite, hasStaffRole, isStaff } from '@guichet/core';

export { isStaff };

/**
 * Who may see and do what with an institution's data. Pure: decided from the actor alone.
 * - Operator staff (any staff role, scripts included) read every institution.
 * - A contact reads only their own institution, whatever their roles.
 * - A technical contact with a write credential files and amends requests for it.
 * - The head of institution signs (and reads); security, service, administrative, eduroam and
 *   federation contacts only read.
 * - The agreement desk (or an admin) creates and closes institutions and contacts.
 */

export function canReadInstitution(actor: Actor, institutionId: string): boolean {
  if (isStaff(actor)) return true;
  return actor.kind === 'contact' && actor.institutionId === institutionId;
}

/** The institutions a caller may list: all (`'all'`), one, or none. */
export function readableInstitutions(actor: Actor): 'all' | string[] {
  if (isStaff(actor)) return 'all';
  return actor.kind === 'contact' ? [actor.institutionId] : [];
}

export function hasContactRole(actor: Actor, institutionId: string, role: ContactRole): boolean {
  return actor.kind === 'contact' && actor.institutionId === institutionId && actor.roles.includes(role);
}

/** Filing, amending, resubmitting and cancelling an institution's requests. */
export function canFileFor(actor: Actor, institutionId: string): boolean {
  if (!canWrite(actor)) return false;
  if (actor.kind === 'system') return true;
  // The desk may file on an institution's behalf (e.g. the first agreement of a new member).
  if (hasStaffRole(actor, 'desk')) return true;
  return hasContactRole(actor, institutionId, 'technical');
}

/** Signing an agreement version or a request that needs the head of institution. */
export function canSignFor(actor: Actor, institutionId: string): boolean {
  return canWrite(actor) && hasContactRole(actor, institutionId, 'head');
}

/** Creating, changing and closing institutions, sites and contacts. */
export function canManageMembership(actor: Actor): boolean {
  return canWrite(actor) && (actor.kind === 'system' || hasStaffRole(actor, 'desk'));
}
