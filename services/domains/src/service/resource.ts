import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import { recordResource } from '@guichet/workflow';
import { resourceState } from '../model.js';
import type { DomainRow, DomainState } from '../tables.js';

/** Records a domain in the common resource list, in the caller's transaction (its row moved with it). */
export function recordDomain(tx: Tx, ctx: RequestContext, row: DomainRow, requestId?: string | null) {
  return recordResource(tx, ctx, {
    line: 'domains',
    type: 'domain',
    objectId: row.id,
    institutionId: row.institutionId,
    name: row.uName,
    state: resourceState(row.state as DomainState),
    lineState: row.state,
    requestId: requestId ?? null,
  });
}
