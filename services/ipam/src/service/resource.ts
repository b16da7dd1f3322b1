import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import { type ResourceState, recordResource } from '@guichet/workflow';
import type { AssignmentRow } from './internal.js';

/** An assignment's lifecycle on the common resource lifecycle. */
export const ASSIGNMENT_RESOURCE_STATE: Record<string, ResourceState> = {
  reserved: 'provisioning',
  active: 'active',
  returned: 'terminated',
  quarantined: 'terminated',
  free: 'terminated',
};

/** Records the assignment in the cross-line resources, in the caller's transaction. */
export async function recordAssignment(
  tx: Tx,
  ctx: RequestContext,
  a: AssignmentRow,
  requestId: string | null = null,
): Promise<void> {
  await recordResource(tx, ctx, {
    line: 'ipam',
    type: 'Assignment',
    objectId: a.id,
    institutionId: a.institutionId,
    name: a.prefix,
    state: ASSIGNMENT_RESOURCE_STATE[a.lifecycle] ?? 'active',
    lineState: a.lifecycle,
    requestId,
  });
}
