import { recordChange } from '@guichet/audit';
import {
  NotFoundError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, asc, type Db, type DbOrTx, eq, isNull, ne, one, sql, type Tx } from '@guichet/db';
import { sites as membershipSites } from '@guichet/membership';
import type { EduroamRuntime } from '../config.js';
import { type ContactInput, type SiteFields, siteFields, siteInput } from '../inputs.js';
import { AVAILABILITIES, LOCATION_KINDS, sortLang } from '../model.js';
import { checkSite, RULES } from '../rules.js';
import { type ContactJson, profiles, sites } from '../tables.js';
import { lockForEduroam } from './common.js';
import { siteResource } from './resources.js';

/**
 * eduroam sites (the database's `location`s): where an institution broadcasts eduroam, with the
 * encryption, tags and number of access points the eduroam database records. The id is the
 * location id, stable for the site's life; an update keeps it.
 */

export type SiteRow = typeof sites.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;

const contactJson = (c: ContactInput | undefined): ContactJson | null =>
  c ? { name: c.name, email: c.email, phone: c.phone, kind: c.kind, public: c.public } : null;

function columns(f: SiteFields) {
  return {
    names: sortLang(f.name),
    street: sortLang(f.street),
    city: sortLang(f.city),
    lon: f.coordinates.lon,
    lat: f.coordinates.lat,
    ssid: f.ssid,
    encryption: [...new Set(f.encryption)].sort(),
    tags: [...new Set(f.tags)].sort(),
    accessPoints: f.accessPoints,
    wiredPorts: f.wiredPorts,
    kind: LOCATION_KINDS.indexOf(f.kind),
    venue: f.venue ?? null,
    availability: AVAILABILITIES.indexOf(f.availability),
    operationHours: f.operationHours ?? null,
    operatorName: f.operatorName ?? null,
    infoUrls: sortLang(f.infoUrls),
    contact: contactJson(f.contact),
    membershipSiteId: f.membershipSiteId ?? null,
    production: f.production,
  };
}

async function checkMembershipSite(tx: Tx, institutionId: string, id: string | undefined): Promise<void> {
  if (!id) return;
  const [row] = await tx
    .select({ id: membershipSites.id })
    .from(membershipSites)
    .where(
      and(
        eq(membershipSites.id, id),
        eq(membershipSites.institutionId, institutionId),
        isNull(membershipSites.removedAt),
      ),
    );
  if (!row)
    throw ValidationError.field(['input', 'membershipSiteId'], 'not a present site of this institution');
}

/** Validates everything, then one transaction: lock, eduroam open, insert, change log. */
export async function declareSite(
  db: Db,
  rt: EduroamRuntime,
  ctx: RequestContext,
  raw: unknown,
): Promise<SiteRow> {
  const input = parseInput(siteInput, raw);
  checkSite(input, rt.bounds, rt.config.EDUROAM_COUNTRY);
  return db.transaction(async (tx) => {
    await lockForEduroam(tx, ctx, input.institutionId);
    await checkMembershipSite(tx, input.institutionId, input.membershipSiteId);
    const now = ctx.clock.now();
    const row = one(
      await tx
        .insert(sites)
        .values({ institutionId: input.institutionId, ...columns(input), createdAt: now, updatedAt: now })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'eduroam.declareSite',
      objectType: 'EduroamSite',
      objectId: row.id,
      institutionId: row.institutionId,
      after: row,
    });
    await siteResource(tx, ctx, row);
    return row;
  });
}

export async function getSite(db: DbOrTx, id: string): Promise<SiteRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db.select().from(sites).where(eq(sites.id, id));
  return row;
}

async function lockSite(tx: Tx, ctx: RequestContext, id: string, allowClosed: boolean): Promise<SiteRow> {
  const seen = await getSite(tx, id);
  if (!seen) throw new NotFoundError('EduroamSite', id);
  await lockForEduroam(tx, ctx, seen.institutionId).catch((e) => {
    if (!allowClosed || !(e instanceof PolicyRefusalError) || e.rule !== RULES.notActive) throw e;
  });
  const [row] = await tx.select().from(sites).where(eq(sites.id, id)).for('update');
  if (!row) throw new NotFoundError('EduroamSite', id);
  return row;
}

/** Replaces a site's description (every field given again); its location id stays. */
export async function updateSite(
  db: Db,
  rt: EduroamRuntime,
  ctx: RequestContext,
  id: string,
  raw: unknown,
): Promise<SiteRow> {
  const input = parseInput(siteFields, raw);
  checkSite(input, rt.bounds, rt.config.EDUROAM_COUNTRY);
  return db.transaction(async (tx) => {
    const before = await lockSite(tx, ctx, id, false);
    if (before.state !== 'active') throw new NotFoundError('EduroamSite', id);
    await checkMembershipSite(tx, before.institutionId, input.membershipSiteId);
    return writeSite(
      tx,
      ctx,
      before,
      { ...columns(input), updatedAt: ctx.clock.now() },
      'eduroam.updateSite',
    );
  });
}

export async function removeSite(db: Db, ctx: RequestContext, id: string): Promise<SiteRow> {
  return db.transaction(async (tx) => {
    const before = await lockSite(tx, ctx, id, true);
    if (before.state === 'removed') return before;
    const now = ctx.clock.now();
    return writeSite(
      tx,
      ctx,
      before,
      { state: 'removed', removedAt: now, updatedAt: now },
      'eduroam.removeSite',
    );
  });
}

/** Writes a locked site's change with its change-log entry and its resource row. */
async function writeSite(
  tx: Tx,
  ctx: RequestContext,
  before: SiteRow,
  set: Partial<typeof sites.$inferInsert>,
  action: string,
): Promise<SiteRow> {
  const after = one(await tx.update(sites).set(set).where(eq(sites.id, before.id)).returning());
  await recordChange(tx, ctx, {
    action,
    objectType: 'EduroamSite',
    objectId: before.id,
    institutionId: after.institutionId,
    before,
    after,
  });
  await siteResource(tx, ctx, after);
  return after;
}

export async function listSites(
  db: DbOrTx,
  institutionId: string | null,
  includeRemoved = false,
): Promise<SiteRow[]> {
  return db
    .select()
    .from(sites)
    .where(
      and(
        institutionId ? eq(sites.institutionId, institutionId) : undefined,
        includeRemoved ? sql`true` : ne(sites.state, 'removed'),
      ),
    )
    .orderBy(asc(sites.createdAt), asc(sites.id));
}

export async function getProfile(db: DbOrTx, institutionId: string): Promise<ProfileRow | undefined> {
  const [row] = await db.select().from(profiles).where(eq(profiles.institutionId, institutionId));
  return row;
}
