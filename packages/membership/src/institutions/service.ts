import { recordChange } from '@guichet/audit';
import { actorLabel, type RequestContext } from '@guichet/core';
import { and, type DbOrTx, eq, inArray } from '@guichet/db';
import {
  type CreateInstitutionInput,
  createInstitutionSchema,
  type UpdateInstitutionInput,
  updateInstitutionSchema,
} from '../inputs.js';
import {
  type AgreementVersionRow,
  guard,
  type InstitutionRow,
  inTransaction,
  lockInstitution,
  mustManage,
  one,
  requireOpen,
  type SiteRow,
} from '../internal.js';
import { parseInput } from '../model.js';
import { agreementVersions, institutions, sites } from '../tables.js';

const SITE_FIELDS = {
  membership_sites_name_key: 'two sites of this institution would have the same name',
};

export interface CreatedInstitution {
  institution: InstitutionRow;
  mainSite: SiteRow;
  secondarySites: SiteRow[];
  /** Version 1 of the agreement, a draft until the head of institution signs it. */
  agreementVersion: AgreementVersionRow;
}

/**
 * A new member: the institution, its main and secondary sites, and version 1 of its agreement
 * as a draft (no security contact yet: contacts come after). Agreement desk only.
 */
export async function createInstitution(
  db: DbOrTx,
  ctx: RequestContext,
  input: CreateInstitutionInput,
): Promise<CreatedInstitution> {
  mustManage(ctx, 'creates institutions');
  const v = parseInput(createInstitutionSchema, input);
  const now = ctx.clock.now();
  const work = inTransaction(db, async (tx) => {
    const inst = one(
      await tx
        .insert(institutions)
        .values({
          name: v.name,
          shortName: v.shortName,
          kind: v.kind,
          siren: v.siren,
          siret: v.siret ?? null,
          collector: v.collector,
          createdAt: now,
        })
        .returning(),
    );
    const siteRows = await tx
      .insert(sites)
      .values(
        [{ ...v.mainSite, main: true }, ...v.secondarySites.map((s) => ({ ...s, main: false }))].map((s) => ({
          ...s,
          institutionId: inst.id,
          createdAt: now,
        })),
      )
      .returning();
    const mainSite = one(siteRows.filter((s) => s.main));
    // RETURNING keeps the VALUES order on both engines, but match by name to be independent of it.
    const byName = new Map(siteRows.filter((s) => !s.main).map((s) => [s.name.toLowerCase(), s]));
    const secondary = v.secondarySites.map((s) =>
      one([byName.get(s.name.toLowerCase())].filter((x) => x !== undefined)),
    );
    const version = one(
      await tx
        .insert(agreementVersions)
        .values({
          institutionId: inst.id,
          version: 1,
          status: 'draft',
          conventionRef: v.agreement.conventionRef,
          charterRef: v.agreement.charterRef,
          securityContactId: null,
          bandwidthMbps: v.agreement.bandwidthMbps,
          secondarySiteIds: secondary.map((s) => s.id),
          services: v.agreement.services,
          createdBy: actorLabel(ctx.actor),
          createdAt: now,
        })
        .returning(),
    );
    const audit = (objectType: string, objectId: string, after: unknown) =>
      recordChange(tx, ctx, {
        action: 'membership.createInstitution',
        objectType,
        objectId,
        institutionId: inst.id,
        after,
      });
    await audit('Institution', inst.id, inst);
    for (const s of siteRows) await audit('Site', s.id, s);
    await audit('AgreementVersion', version.id, version);
    return { institution: inst, mainSite, secondarySites: secondary, agreementVersion: version };
  });
  return guard(work, {
    unique: {
      membership_institutions_siren_key: `SIREN ${v.siren} is already registered`,
      membership_institutions_short_name_key: `the short name "${v.shortName}" is already used by another institution`,
      ...SITE_FIELDS,
    },
  });
}

/** Name, short name and regional collector. Agreement desk only. */
export async function updateInstitution(
  db: DbOrTx,
  ctx: RequestContext,
  id: string,
  input: UpdateInstitutionInput,
): Promise<InstitutionRow> {
  mustManage(ctx, 'changes institutions');
  const v = parseInput(updateInstitutionSchema, input);
  const work = inTransaction(db, async (tx) => {
    const before = await lockInstitution(tx, id);
    requireOpen(before);
    const after = one(
      await tx
        .update(institutions)
        .set({
          ...(v.name !== undefined ? { name: v.name } : {}),
          ...(v.shortName !== undefined ? { shortName: v.shortName } : {}),
          ...(v.collector !== undefined ? { collector: v.collector } : {}),
        })
        .where(eq(institutions.id, id))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'membership.updateInstitution',
      objectType: 'Institution',
      objectId: id,
      institutionId: id,
      before,
      after,
    });
    return after;
  });
  return guard(work, {
    unique: {
      membership_institutions_short_name_key: `the short name "${v.shortName}" is already used by another institution`,
    },
  });
}

/**
 * Ends a membership: the institution is closed, its pending agreement versions are withdrawn,
 * its contacts can no longer log in, and no service is open any more. Closing a closed
 * institution changes nothing (scripts may repeat themselves). Agreement desk only.
 */
export async function closeInstitution(db: DbOrTx, ctx: RequestContext, id: string): Promise<InstitutionRow> {
  mustManage(ctx, 'closes institutions');
  return inTransaction(db, async (tx) => {
    const before = await lockInstitution(tx, id);
    if (before.status === 'closed') return before;
    const now = ctx.clock.now();
    const after = one(
      await tx
        .update(institutions)
        .set({ status: 'closed', closedAt: now })
        .where(eq(institutions.id, id))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'membership.closeInstitution',
      objectType: 'Institution',
      objectId: id,
      institutionId: id,
      before,
      after,
    });
    const pending = await tx
      .select()
      .from(agreementVersions)
      .where(
        and(eq(agreementVersions.institutionId, id), inArray(agreementVersions.status, ['draft', 'signed'])),
      );
    for (const p of pending) {
      const w = one(
        await tx
          .update(agreementVersions)
          .set({ status: 'withdrawn' })
          .where(eq(agreementVersions.id, p.id))
          .returning(),
      );
      await recordChange(tx, ctx, {
        action: 'membership.closeInstitution',
        objectType: 'AgreementVersion',
        objectId: p.id,
        institutionId: id,
        before: p,
        after: { ...w, reason: 'institution closed' },
      });
    }
    return after;
  });
}
