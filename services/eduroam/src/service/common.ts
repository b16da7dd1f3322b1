import { canWrite, ForbiddenError, hasStaffRole, NotFoundError, type RequestContext } from '@guichet/core';
import { eq, type Tx } from '@guichet/db';
import {
  canFileFor,
  canReadInstitution,
  type InstitutionRow,
  institutions,
  isServiceOpen,
} from '@guichet/membership';
import { requireActive } from '../rules.js';

/** Who may do what on eduroam objects, and the lock every eduroam write takes first. */

export type Access = 'file' | 'operate';

/** `file`: the institution's technical contact or the desk; `operate`: those, or the NOC. */
export function mayWrite(ctx: RequestContext, institutionId: string, access: Access): boolean {
  return (
    canFileFor(ctx.actor, institutionId) ||
    (access === 'operate' && canWrite(ctx.actor) && hasStaffRole(ctx.actor, 'noc'))
  );
}

/**
 * Checks the caller, locks the institution row (the parent of every eduroam object: writes of
 * one institution queue here, other institutions are not held up) and refuses when eduroam is
 * not open in its active agreement. An institution the caller may not read does not exist.
 */
export async function lockForEduroam(
  tx: Tx,
  ctx: RequestContext,
  institutionId: string,
  access: Access = 'file',
): Promise<InstitutionRow> {
  if (!canReadInstitution(ctx.actor, institutionId)) throw new NotFoundError('Institution', institutionId);
  if (!mayWrite(ctx, institutionId, access)) {
    throw new ForbiddenError(
      access === 'file'
        ? 'Only a technical contact of the institution (or the agreement desk) declares its eduroam service'
        : 'Only a technical contact of the institution, the desk or the NOC does this',
    );
  }
  const [inst] = await tx
    .select()
    .from(institutions)
    .where(eq(institutions.id, institutionId))
    .for('no key update');
  if (!inst) throw new NotFoundError('Institution', institutionId);
  requireActive(inst.status === 'active' && (await isServiceOpen(tx, institutionId, 'eduroam')), inst.name);
  return inst;
}
