import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext } from '@guichet/core';
import { type DbOrTx, eq } from '@guichet/db';
import type { z } from 'zod';
import { currentAgreement } from '../agreements/queries.js';
import { siteSchema, uuidSchema } from '../inputs.js';
import {
  findById,
  guard,
  inTransaction,
  lockInstitution,
  mustManage,
  one,
  requireOpen,
  type SiteRow,
} from '../internal.js';
import { parseInput } from '../model.js';
import { sites } from '../tables.js';

const addSiteSchema = siteSchema.extend({ institutionId: uuidSchema });
export type AddSiteInput = z.input<typeof addSiteSchema>;

/**
 * A secondary site. It is not covered by the agreement until a new version listing it is
 * signed (the workflow's agreement change). Agreement desk only.
 */
export async function addSite(db: DbOrTx, ctx: RequestContext, input: AddSiteInput): Promise<SiteRow> {
  mustManage(ctx, 'adds sites');
  const v = parseInput(addSiteSchema, input);
  const work = inTransaction(db, async (tx) => {
    requireOpen(await lockInstitution(tx, v.institutionId));
    const site = one(
      await tx
        .insert(sites)
        .values({ ...v, main: false, createdAt: ctx.clock.now() })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'membership.addSite',
      objectType: 'Site',
      objectId: site.id,
      institutionId: v.institutionId,
      after: site,
    });
    return site;
  });
  return guard(work, {
    unique: { membership_sites_name_key: `a site named "${v.name}" already exists for this institution` },
  });
}

/**
 * Removes a secondary site (kept in history with `removedAt`). The main site and a site the
 * active agreement lists stay: the agreement must first be replaced by a signed version that
 * drops it. Removing a removed site changes nothing. Agreement desk only.
 */
export async function removeSite(db: DbOrTx, ctx: RequestContext, siteId: string): Promise<SiteRow> {
  mustManage(ctx, 'removes sites');
  return inTransaction(db, async (tx) => {
    const load = (id: string) => tx.select().from(sites).where(eq(sites.id, id));
    const { institutionId } = await findById(load, 'Site', siteId);
    const institution = await lockInstitution(tx, institutionId);
    requireOpen(institution);
    const before = await findById(load, 'Site', siteId);
    if (before.removedAt) return before;
    if (before.main) {
      throw new PolicyRefusalError('main-site', `${before.name} is the main site of ${institution.name}`);
    }
    const active = await currentAgreement(tx, institutionId);
    if (active?.secondarySiteIds.includes(siteId)) {
      throw new PolicyRefusalError(
        'site-in-agreement',
        `${before.name} is listed in the active agreement (version ${active.version}); a signed new version must drop it first`,
      );
    }
    const after = one(
      await tx.update(sites).set({ removedAt: ctx.clock.now() }).where(eq(sites.id, siteId)).returning(),
    );
    await recordChange(tx, ctx, {
      action: 'membership.removeSite',
      objectType: 'Site',
      objectId: siteId,
      institutionId,
      before,
      after,
    });
    return after;
  });
}
