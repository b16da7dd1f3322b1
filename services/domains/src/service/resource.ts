import { recordChange } from '@guichet/audit';
import type { RequestContext } from '@guichet/core';
import { type Db, eq, one, type Tx } from '@guichet/db';
import { recordResource } from '@guichet/workflow';
import { resourceState } from '../model.js';
import { type DomainRow, type DomainState, domains } from '../tables.js';

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

/**
 * Changes a domain row in its own transaction (the row locked first), with the change log
 * (never the sealed authInfo) and the resource list; `requestOf` names the request it records.
 */
export function updateDomain(
  db: Db,
  ctx: RequestContext,
  id: string,
  set: Partial<typeof domains.$inferInsert>,
  action: string,
  requestOf: (after: DomainRow) => string | null,
) {
  return db.transaction(async (tx) => {
    const before = one(await tx.select().from(domains).where(eq(domains.id, id)).for('update'));
    const after = one(
      await tx
        .update(domains)
        .set({ ...set, updatedAt: ctx.clock.now() })
        .where(eq(domains.id, id))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action,
      objectType: 'Domain',
      objectId: id,
      institutionId: before.institutionId,
      before: { ...before, authInfoSealed: undefined },
      after: { ...after, authInfoSealed: undefined },
    });
    await recordDomain(tx, ctx, after, requestOf(after));
    return after;
  });
}
