import { type Actor, canWrite, hasStaffRole, isUuid, NotFoundError } from '@guichet/core';
import { canFileFor, canReadInstitution, canSignFor } from '@guichet/membership';
import type { RequestRow, StepActor } from '../events.js';
import type { AnyStep } from '../kinds.js';
import type { Party } from '../rules.js';

/**
 * Who the caller is relative to one request, in the vocabulary of rules.ts. Built from
 * membership's rules so that "technical contact with a write credential" means the same thing
 * for filing a request as everywhere else.
 */
export function partiesOf(
  actor: Actor,
  request: Pick<RequestRow, 'institutionId'>,
  pending?: AnyStep,
): Party[] {
  const parties: Party[] = [];
  if (canFileFor(actor, request.institutionId)) parties.push('filer');
  if (canWrite(actor) && hasStaffRole(actor, 'desk')) parties.push('desk');
  if (canWrite(actor) && hasStaffRole(actor, 'noc')) parties.push('noc');
  if (pending?.type === 'human' && mayActAs(actor, request.institutionId, pending.actor))
    parties.push('stepActor');
  return parties;
}

/** Whether the actor may act on a human step waiting for `who` (admin stands in for desk and NOC). */
export function mayActAs(actor: Actor, institutionId: string, who: StepActor): boolean {
  switch (who) {
    case 'head':
      return canSignFor(actor, institutionId);
    case 'technical':
      return canFileFor(actor, institutionId);
    case 'desk':
    case 'noc':
      return canWrite(actor) && hasStaffRole(actor, who);
  }
}

/**
 * A request the caller may not read does not exist for them: the same NotFoundError as for a
 * wrong id, so another institution's contact cannot probe for ids.
 */
export function assertVisible<R extends Pick<RequestRow, 'institutionId'>>(
  actor: Actor,
  id: string,
  request: R | undefined,
): R {
  if (!request || !canReadInstitution(actor, request.institutionId)) throw new NotFoundError('Request', id);
  return request;
}

/** Ids reach SQL as uuid: a malformed one is simply not found (not a database error). */
export function assertRequestId(id: string): void {
  if (!isUuid(id)) throw new NotFoundError('Request', id);
}
