import { recordChange } from '@guichet/audit';
import { ConflictError, NotFoundError, PolicyRefusalError, type RequestContext } from '@guichet/core';
import { and, type DbOrTx, desc, eq, ne, one, sql, type Tx } from '@guichet/db';
import { assignments } from '@guichet/ipam';
import { formatPrefix } from '@guichet/net';
import { type DelegationState, type DerivableZone, derivableZones } from '../model.js';
import { type DelegationRequestInput, type ValidDelegation, validateDelegation } from '../rules.js';
import { checks, delegations, type FindingJson, parentZones } from '../tables.js';
import { markParentDirty } from './publication.js';

export type DelegationRow = typeof delegations.$inferSelect;

/** The zones derivable from the institution's active assignments, each with its live delegation. */
export async function institutionZones(
  db: DbOrTx,
  institutionId: string,
): Promise<(DerivableZone & { delegation: DelegationRow | null })[]> {
  const rows = await db
    .select({
      id: assignments.id,
      institutionId: assignments.institutionId,
      prefix: assignments.prefix,
      lifecycle: assignments.lifecycle,
    })
    .from(assignments)
    .where(and(eq(assignments.institutionId, institutionId), eq(assignments.lifecycle, 'active')));
  const live = await db
    .select()
    .from(delegations)
    .where(and(eq(delegations.institutionId, institutionId), ne(delegations.state, 'withdrawn')));
  const byZone = new Map(live.map((d) => [d.zone, d]));
  return derivableZones(rows, institutionId).map((z) => ({ ...z, delegation: byZone.get(z.zone) ?? null }));
}

/** Every rule, against the institution's active assignments and the live delegations. */
export async function planDelegation(
  tx: DbOrTx,
  institutionId: string,
  input: DelegationRequestInput,
): Promise<ValidDelegation> {
  const zones = await institutionZones(tx, institutionId);
  const valid = validateDelegation(input, zones);
  const taken = zones.find((z) => z.zone === valid.zone.zone)?.delegation;
  if (taken) throw new ConflictError(`${valid.zone.zone} is already delegated (state ${taken.state})`);
  return valid;
}

export async function getDelegation(db: DbOrTx, id: string): Promise<DelegationRow> {
  const [row] = await db.select().from(delegations).where(eq(delegations.id, id));
  if (!row) throw new NotFoundError('Delegation', id);
  return row;
}

export async function delegationChecks(db: DbOrTx, delegationId: string) {
  return db.select().from(checks).where(eq(checks.delegationId, delegationId)).orderBy(desc(checks.at));
}

async function setState(
  tx: Tx,
  ctx: RequestContext,
  row: DelegationRow,
  state: DelegationState,
  extra: Partial<typeof delegations.$inferInsert> = {},
): Promise<DelegationRow> {
  const after = one(
    await tx
      .update(delegations)
      .set({ state, ...extra })
      .where(eq(delegations.id, row.id))
      .returning(),
  );
  await recordChange(tx, ctx, {
    action: `rdns.${state}`,
    objectType: 'Delegation',
    objectId: row.id,
    institutionId: row.institutionId,
    before: row,
    after,
  });
  return after;
}

/**
 * Moves a delegation to `state` under its row lock (published ↔ lame). With `only`, a row in
 * another state is left as it is (a racing re-check or a withdrawal got there first).
 */
export async function setDelegationState(
  tx: Tx,
  ctx: RequestContext,
  delegationId: string,
  state: DelegationState,
  opts: { only?: DelegationState } = {},
): Promise<DelegationRow> {
  const [row] = await tx.select().from(delegations).where(eq(delegations.id, delegationId)).for('update');
  if (!row) throw new NotFoundError('Delegation', delegationId);
  if ((opts.only && row.state !== opts.only) || row.state === state) return row;
  return setState(tx, ctx, row, state);
}

/** Creates the delegation row (state `checking`) for a validated request. */
export async function createDelegation(
  tx: Tx,
  ctx: RequestContext,
  institutionId: string,
  requestId: string | null,
  v: ValidDelegation,
): Promise<DelegationRow> {
  const [parent] = await tx
    .select({ id: parentZones.id })
    .from(parentZones)
    .where(sql`${parentZones.prefix} >>= ${formatPrefix(v.zone.prefix)}::cidr`)
    .orderBy(sql`masklen(${parentZones.prefix}) DESC`)
    .limit(1);
  // Without a parent zone there is nowhere to publish: a configuration gap the NOC must close,
  // told to the institution now rather than after its servers were checked.
  if (!parent) {
    throw new PolicyRefusalError(
      'rdns.no-parent-zone',
      `No parent zone of the operator covers ${v.zone.zone} yet: the NOC must declare it (createParentZone) first`,
    );
  }
  const row = one(
    await tx
      .insert(delegations)
      .values({
        zone: v.zone.zone,
        prefix: formatPrefix(v.zone.prefix),
        institutionId,
        assignmentId: v.zone.assignmentId,
        parentZoneId: parent.id,
        nameservers: v.nameservers,
        ds: v.ds,
        state: 'checking',
        requestId,
      })
      .returning(),
  );
  await recordChange(tx, ctx, {
    action: 'rdns.request',
    objectType: 'Delegation',
    objectId: row.id,
    institutionId,
    before: null,
    after: row,
  });
  return row;
}

/** Stores one check run and its result on the delegation. */
export async function recordCheck(
  tx: Tx,
  ctx: RequestContext,
  delegationId: string,
  findings: FindingJson[],
  blocking: boolean,
): Promise<void> {
  const at = ctx.clock.now();
  await tx.insert(checks).values({ delegationId, at, findings, blocking });
  await tx
    .update(delegations)
    .set({ lastCheckAt: at, lastFindings: findings })
    .where(eq(delegations.id, delegationId));
}

/**
 * Marks the delegation published and its parent zone as needing a new version (rendered,
 * checked and pushed after this transaction: publication.ts). Idempotent.
 */
export async function publishDelegation(
  tx: Tx,
  ctx: RequestContext,
  delegationId: string,
): Promise<{ parentZoneId: string | null; parentZone: string | null; previousState: DelegationState }> {
  const before = await getDelegation(tx, delegationId);
  if (before.state === 'withdrawn') throw new ConflictError(`${before.zone} was withdrawn`);
  const row =
    before.state === 'published'
      ? before
      : await setState(tx, ctx, before, 'published', { publishedAt: ctx.clock.now() });
  if (!row.parentZoneId)
    return { parentZoneId: null, parentZone: null, previousState: before.state as DelegationState };
  const p = one(
    await tx.select({ zone: parentZones.zone }).from(parentZones).where(eq(parentZones.id, row.parentZoneId)),
  );
  if (before.state !== 'published') await markParentDirty(tx, row.parentZoneId);
  return {
    parentZoneId: row.parentZoneId,
    parentZone: p.zone,
    previousState: before.state as DelegationState,
  };
}

/** A publication named-checkzone refused: the delegation leaves the parent zone again. */
export async function unpublishDelegation(
  tx: Tx,
  ctx: RequestContext,
  delegationId: string,
  to: DelegationState,
): Promise<void> {
  const row = await getDelegation(tx, delegationId);
  if (row.state !== 'published') return;
  await setState(tx, ctx, row, to);
  if (row.parentZoneId) await markParentDirty(tx, row.parentZoneId);
}

/** Withdraws a live delegation and republishes its parent zone without it. Idempotent. */
export async function withdrawDelegation(
  tx: Tx,
  ctx: RequestContext,
  delegationId: string,
): Promise<DelegationRow> {
  const row = await getDelegation(tx, delegationId);
  if (row.state === 'withdrawn') return row;
  const after = await setState(tx, ctx, row, 'withdrawn', { withdrawnAt: ctx.clock.now() });
  if (row.parentZoneId && (row.state === 'published' || row.state === 'lame')) {
    await markParentDirty(tx, row.parentZoneId);
  }
  return after;
}

/**
 * Withdraws every live delegation of an assignment. Runs inside ipam's return of the assignment
 * (the line listens to ipam's ASSIGNMENT_RETURNED): the delegations leave in the same
 * transaction, and the parent zone's new version reaches the server through `syncParentZones`.
 */
export async function withdrawForAssignment(
  tx: Tx,
  ctx: RequestContext,
  assignmentId: string,
): Promise<number> {
  const live = await tx
    .select({ id: delegations.id })
    .from(delegations)
    .where(and(eq(delegations.assignmentId, assignmentId), ne(delegations.state, 'withdrawn')));
  for (const d of live) await withdrawDelegation(tx, ctx, d.id);
  return live.length;
}
