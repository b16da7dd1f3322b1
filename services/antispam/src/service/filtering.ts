import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, asc, type Db, type DbOrTx, eq, inArray, type Tx, translatePgError } from '@guichet/db';
import { canFileFor, canReadInstitution, institutions } from '@guichet/membership';
import type { Env } from '@guichet/workflow';
import { RSPAMD_PUBLISH_JOB } from '../job-names.js';
import { type EffectiveSettings, mergeSettings, ON_GATEWAY, type SettingsLayer } from '../model.js';
import { listEntrySchema, settingsInputSchema, settingsPolicy } from '../rules.js';
import { domains, listEntries, settings } from '../tables.js';

/**
 * An institution's Rspamd settings (layered global → institution → domain) and its allow/deny
 * lists. Each change is one transaction: the institution row locked first (changes of one
 * institution queue there), the write, the change log, and the Rspamd republication enqueued in
 * the same transaction — so a change is never stored without being published, nor published
 * without being stored.
 */

export type SettingsRow = typeof settings.$inferSelect;
export type ListEntryRow = typeof listEntries.$inferSelect;
export type ListName = 'allow' | 'deny';

/** A technical contact of the institution, the desk, or the NOC (who operates the gateway). */
export function mayTune(ctx: RequestContext, institutionId: string): boolean {
  return canFileFor(ctx.actor, institutionId) || (canWrite(ctx.actor) && hasStaffRole(ctx.actor, 'noc'));
}

/** Checks the caller and locks the institution; another institution looks like none at all. */
async function lockInstitution(tx: Tx, ctx: RequestContext, institutionId: string): Promise<void> {
  if (!isUuid(institutionId) || !canReadInstitution(ctx.actor, institutionId))
    throw new NotFoundError('Institution', institutionId);
  if (!mayTune(ctx, institutionId))
    throw new ForbiddenError(
      'Only a technical contact of the institution, the desk or the NOC tunes its antispam filtering',
    );
  const [row] = await tx
    .select({ id: institutions.id })
    .from(institutions)
    .where(eq(institutions.id, institutionId))
    .for('no key update');
  if (!row) throw new NotFoundError('Institution', institutionId);
}

const scopeOf = (institutionId: string | null, domain: string | null) =>
  institutionId === null
    ? 'global'
    : domain === null
      ? `institution:${institutionId}`
      : `domain:${institutionId}:${domain}`;

const layer = (r: SettingsRow | undefined): SettingsLayer | null =>
  r
    ? { addHeader: r.addHeader, rewriteSubject: r.rewriteSubject, reject: r.reject, tagSubject: r.tagSubject }
    : null;

async function settingsRow(db: DbOrTx, scope: string): Promise<SettingsRow | undefined> {
  const [r] = await db.select().from(settings).where(eq(settings.scope, scope));
  return r;
}

export interface SetSettingsInput {
  /** Absent: the platform's layer (the NOC only). */
  institutionId?: string | null;
  /** A domain of the institution on the gateway: that domain's layer. */
  domain?: string | null;
  addHeader?: number | null;
  rewriteSubject?: number | null;
  reject?: number | null;
  tagSubject?: boolean | null;
}

/** Replaces one layer (null fields inherit) and enqueues the Rspamd republication. */
export async function setSettings(
  env: Env,
  ctx: RequestContext,
  input: SetSettingsInput,
): Promise<{ layer: SettingsRow; effective: EffectiveSettings }> {
  const values = parseInput(
    settingsInputSchema,
    {
      addHeader: input.addHeader ?? null,
      rewriteSubject: input.rewriteSubject ?? null,
      reject: input.reject ?? null,
      tagSubject: input.tagSubject ?? null,
    },
    ['input'],
  );
  const institutionId = input.institutionId ?? null;
  const domain = input.domain ? input.domain.trim().toLowerCase().replace(/\.$/, '') : null;
  if (domain && !institutionId)
    throw ValidationError.field(['input', 'institutionId'], 'a domain layer belongs to an institution');
  return env.database.db.transaction(async (tx) => {
    if (institutionId === null) {
      if (!(canWrite(ctx.actor) && hasStaffRole(ctx.actor, 'noc')))
        throw new ForbiddenError('Only the NOC sets the platform’s antispam settings');
    } else await lockInstitution(tx, ctx, institutionId);
    if (domain) {
      // The domain row is locked too: it cannot be withdrawn under a layer being written for it.
      const [d] = await tx
        .select()
        .from(domains)
        .where(
          and(
            eq(domains.domain, domain),
            eq(domains.institutionId, institutionId as string),
            inArray(domains.state, ['requested', ...ON_GATEWAY]),
          ),
        )
        .for('share');
      if (!d)
        throw ValidationError.field(['input', 'domain'], `${domain} is not one of its antispam domains`);
    }
    const scope = scopeOf(institutionId, domain);
    // Layers above, read after the locks: the global layer is only changed by the NOC.
    const above =
      institutionId === null
        ? []
        : domain === null
          ? [layer(await settingsRow(tx, 'global'))]
          : [
              layer(await settingsRow(tx, 'global')),
              layer(await settingsRow(tx, scopeOf(institutionId, null))),
            ];
    const effective = mergeSettings(...above, values);
    settingsPolicy(effective);
    const [before] = await tx.select().from(settings).where(eq(settings.scope, scope)).for('update');
    const now = ctx.clock.now();
    let row: SettingsRow | undefined;
    try {
      [row] = await tx
        .insert(settings)
        .values({ scope, institutionId, domain, ...values, updatedAt: now })
        .onConflictDoUpdate({ target: settings.scope, set: { ...values, updatedAt: now } })
        .returning();
    } catch (e) {
      throw translatePgError(e, {});
    }
    if (!row) throw new Error('setSettings: no row');
    await recordChange(tx, ctx, {
      action: 'antispam.setSettings',
      objectType: 'AntispamSettings',
      objectId: scope,
      institutionId,
      before: before ? layer(before) : null,
      after: { ...layer(row), effective },
    });
    await env.jobs?.sendInTx(tx, RSPAMD_PUBLISH_JOB, {}, { requestId: ctx.requestId });
    return { layer: row, effective };
  });
}

/** Adds a sender to one of the institution's lists; already on a list: a ConflictError. */
export async function addListEntry(
  env: Env,
  ctx: RequestContext,
  input: { institutionId: string; list: ListName; entry: string; reportId?: string | null },
  tx?: Tx,
): Promise<ListEntryRow> {
  const entry = parseInput(listEntrySchema, input.entry, ['input', 'entry']);
  const run = async (t: Tx) => {
    await lockInstitution(t, ctx, input.institutionId);
    let row: ListEntryRow | undefined;
    try {
      [row] = await t.transaction((s) =>
        s
          .insert(listEntries)
          .values({
            institutionId: input.institutionId,
            list: input.list,
            entry,
            reportId: input.reportId ?? null,
            createdAt: ctx.clock.now(),
          })
          .returning(),
      );
    } catch (e) {
      throw translatePgError(e, {
        conflicts: { antispam_list_entries_entry: `${entry} is already on one of its lists` },
      });
    }
    if (!row) throw new Error('addListEntry: no row');
    await recordChange(t, ctx, {
      action: 'antispam.addListEntry',
      objectType: 'AntispamListEntry',
      objectId: row.id,
      institutionId: input.institutionId,
      after: { list: row.list, entry: row.entry, reportId: row.reportId },
    });
    await env.jobs?.sendInTx(t, RSPAMD_PUBLISH_JOB, {}, { requestId: ctx.requestId });
    return row;
  };
  return tx ? run(tx) : env.database.db.transaction(run);
}

export async function removeListEntry(env: Env, ctx: RequestContext, id: string): Promise<ListEntryRow> {
  return env.database.db.transaction(async (tx) => {
    const [found] = isUuid(id) ? await tx.select().from(listEntries).where(eq(listEntries.id, id)) : [];
    if (!found || !canReadInstitution(ctx.actor, found.institutionId))
      throw new NotFoundError('AntispamListEntry', id);
    await lockInstitution(tx, ctx, found.institutionId);
    const [row] = await tx.delete(listEntries).where(eq(listEntries.id, id)).returning();
    if (!row) throw new ConflictError('the entry was removed meanwhile');
    await recordChange(tx, ctx, {
      action: 'antispam.removeListEntry',
      objectType: 'AntispamListEntry',
      objectId: row.id,
      institutionId: row.institutionId,
      before: { list: row.list, entry: row.entry },
    });
    await env.jobs?.sendInTx(tx, RSPAMD_PUBLISH_JOB, {}, { requestId: ctx.requestId });
    return row;
  });
}

export const institutionLists = (db: DbOrTx, institutionId: string) =>
  db
    .select()
    .from(listEntries)
    .where(eq(listEntries.institutionId, institutionId))
    .orderBy(asc(listEntries.list), asc(listEntries.entry));

/** The institution's own layer, its domains' layers and what applies to it. */
export async function institutionSettings(db: Db, institutionId: string) {
  const rows = await db
    .select()
    .from(settings)
    .where(inArray(settings.scope, ['global', scopeOf(institutionId, null)]));
  const global = rows.find((r) => r.scope === 'global');
  const own = rows.find((r) => r.scope !== 'global');
  const domainRows = await db
    .select()
    .from(settings)
    .where(and(eq(settings.institutionId, institutionId)))
    .orderBy(asc(settings.domain));
  return {
    institutionId,
    layer: own ?? null,
    effective: mergeSettings(layer(global), layer(own)),
    domains: domainRows
      .filter((r) => r.domain !== null)
      .map((r) => ({ row: r, effective: mergeSettings(layer(global), layer(own), layer(r)) })),
  };
}

/** Everything the Rspamd rendering needs: the layers and lists of every institution on the gateway. */
export async function platformFiltering(db: DbOrTx) {
  const [all, lists, live] = await Promise.all([
    db.select().from(settings),
    db.select().from(listEntries),
    db
      .select({ domain: domains.domain, institutionId: domains.institutionId })
      .from(domains)
      .where(inArray(domains.state, [...ON_GATEWAY]))
      .orderBy(asc(domains.domain)),
  ]);
  const byScope = new Map(all.map((r) => [r.scope, r]));
  return live.map((d) => ({
    domain: d.domain,
    institutionId: d.institutionId,
    effective: mergeSettings(
      layer(byScope.get('global')),
      layer(byScope.get(scopeOf(d.institutionId, null))),
      layer(byScope.get(scopeOf(d.institutionId, d.domain))),
    ),
    allow: lists.filter((l) => l.institutionId === d.institutionId && l.list === 'allow').map((l) => l.entry),
    deny: lists.filter((l) => l.institutionId === d.institutionId && l.list === 'deny').map((l) => l.entry),
  }));
}
