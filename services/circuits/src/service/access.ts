import { canWrite, ForbiddenError, hasStaffRole, type RequestContext } from '@guichet/core';
import { canFileFor, canReadInstitution } from '@guichet/membership';

/**
 * Who may do what on circuits. The inventory and the design are the NOC's (admin stands in);
 * a circuit is read by its owner institution and by the institutions of its endpoints (each
 * seeing only its own end, see queries), and by operator staff.
 */

export function isNoc(ctx: RequestContext): boolean {
  return hasStaffRole(ctx.actor, 'noc') && canWrite(ctx.actor);
}

export function mustOperate(ctx: RequestContext, what: string): void {
  if (!isNoc(ctx)) throw new ForbiddenError(`only the NOC ${what}`);
}

/** A technical contact of `institutionId` with a write credential (or the desk, or system). */
export function mayActFor(ctx: RequestContext, institutionId: string): boolean {
  return canFileFor(ctx.actor, institutionId);
}

export function mayRead(ctx: RequestContext, institutionId: string): boolean {
  return canReadInstitution(ctx.actor, institutionId);
}
