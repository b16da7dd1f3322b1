import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type DbOrTx, eq, sql, type Tx } from '@guichet/db';
import { type DraftChanges, draftChangesSchema } from '../inputs.js';
import {
  AGREEMENT_CONFLICTS,
  type AgreementVersionRow,
  guard,
  inTransaction,
  lockInstitution,
  one,
  requireOpen,
} from '../internal.js';
import { parseInput, type Service } from '../model.js';
import { canFileFor, canManageMembership, canReadInstitution } from '../rules.js';
import { agreementVersions } from '../tables.js';
import { checkEduroamTerms, checkSecurityContact, checkSites, type Issue, lockVersion } from './validate.js';

export type { DraftChanges };

type Terms = Pick<
  AgreementVersionRow,
  | 'bandwidthMbps'
  | 'securityContactId'
  | 'secondarySiteIds'
  | 'services'
  | 'eduroamContactId'
  | 'eduroamPolicy'
>;
type Parsed = ReturnType<typeof draftChangesSchema.parse>;

function mayChange(ctx: RequestContext, institutionId: string): void {
  if (!canReadInstitution(ctx.actor, institutionId)) throw new NotFoundError('Institution', institutionId);
  if (!canFileFor(ctx.actor, institutionId) && !canManageMembership(ctx.actor)) {
    throw new ForbiddenError(
      'Only a technical contact of the institution or the agreement desk changes its agreement',
    );
  }
}

function apply(base: Terms, c: Parsed): Terms {
  let services = [...new Set([...(base.services as Service[]), ...(c.activateServices ?? [])])];
  services = services.filter((s) => !c.deactivateServices?.includes(s));
  // The eduroam charter's terms go with the service: closing eduroam clears them.
  const eduroam = services.includes('eduroam');
  return {
    bandwidthMbps: c.bandwidthMbps ?? base.bandwidthMbps,
    securityContactId: c.securityContactId === undefined ? base.securityContactId : c.securityContactId,
    secondarySiteIds: c.secondarySiteIds ?? base.secondarySiteIds,
    services,
    eduroamContactId: eduroam
      ? c.eduroamContactId === undefined
        ? base.eduroamContactId
        : c.eduroamContactId
      : null,
    eduroamPolicy: eduroam ? (c.eduroamPolicy ?? base.eduroamPolicy) : null,
  };
}

const sameSet = <T>(a: readonly T[], b: readonly T[]) =>
  a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

function unchanged(a: Terms, b: Terms): boolean {
  return (
    a.bandwidthMbps === b.bandwidthMbps &&
    a.securityContactId === b.securityContactId &&
    sameSet(a.secondarySiteIds, b.secondarySiteIds) &&
    sameSet(a.services, b.services) &&
    a.eduroamContactId === b.eduroamContactId &&
    a.eduroamPolicy === b.eduroamPolicy
  );
}

async function validate(t: Tx, institutionId: string, next: Terms, c: Parsed): Promise<void> {
  const issues: Issue[] = [
    ...(await checkSecurityContact(t, institutionId, next.securityContactId)),
    ...(await checkSites(t, institutionId, next.secondarySiteIds, c.secondarySiteIds !== undefined)),
    ...(await checkEduroamTerms(t, institutionId, next)),
  ];
  const [first] = issues;
  if (first) throw new ValidationError(`${first.path.join('.')}: ${first.message}`, issues);
}

/**
 * A new draft version: a copy of the active version (or, before any, of the latest) with the
 * changes applied. It opens nothing until it is signed and activated. Refuses a change that
 * changes nothing, a security contact without the `security` role in this institution, and sites
 * that are not its present secondary sites (ValidationError with the field path). One pending
 * version at a time: a second one is a ConflictError — the unique index decides, not a look-up.
 * Allowed to whoever may file for the institution (its technical contact) and to the desk.
 */
export async function createDraftVersion(
  tx: DbOrTx,
  ctx: RequestContext,
  institutionId: string,
  changes: DraftChanges,
): Promise<AgreementVersionRow> {
  mayChange(ctx, institutionId);
  const c = parseInput(draftChangesSchema, changes);
  return inTransaction(tx, async (t) => {
    const institution = await lockInstitution(t, institutionId);
    requireOpen(institution);
    const [base] = await t
      .select()
      .from(agreementVersions)
      .where(eq(agreementVersions.institutionId, institutionId))
      .orderBy(sql`${agreementVersions.status} = 'active' DESC`, sql`${agreementVersions.version} DESC`)
      .limit(1);
    if (!base) throw new NotFoundError('AgreementVersion', `of institution ${institutionId}`);
    const next = apply(base, c);
    if (base.status === 'active' && unchanged(next, base)) {
      throw ValidationError.field(
        ['input'],
        `this change leaves version ${base.version} of the agreement as it is`,
      );
    }
    await validate(t, institutionId, next, c);
    // Under the institution lock nobody else numbers a version of this agreement meanwhile.
    const [{ latest } = { latest: 0 }] = await t
      .select({ latest: sql<number>`coalesce(max(${agreementVersions.version}), 0)::int` })
      .from(agreementVersions)
      .where(eq(agreementVersions.institutionId, institutionId));
    // A savepoint: a caller's transaction survives the refusal and may report it.
    const insert = inTransaction(t, async (s) => {
      return one(
        await s
          .insert(agreementVersions)
          .values({
            institutionId,
            version: latest + 1,
            status: 'draft',
            conventionRef: base.conventionRef,
            charterRef: base.charterRef,
            ...next,
            createdBy: actorLabel(ctx.actor),
            createdAt: ctx.clock.now(),
          })
          .returning(),
      );
    });
    const row = await guard(insert, { unique: AGREEMENT_CONFLICTS });
    await recordChange(t, ctx, {
      action: 'membership.createDraftVersion',
      objectType: 'AgreementVersion',
      objectId: row.id,
      institutionId,
      after: { ...row, basedOn: base.version },
    });
    return row;
  });
}

/**
 * Changes a draft in place (e.g. naming the security contact on version 1, which is drafted
 * before the institution has contacts). Same changes and checks as `createDraftVersion`; only a
 * draft can be amended — a signed version is withdrawn and drafted again instead.
 */
export async function amendDraftVersion(
  tx: DbOrTx,
  ctx: RequestContext,
  versionId: string,
  changes: DraftChanges,
): Promise<AgreementVersionRow> {
  const c = parseInput(draftChangesSchema, changes);
  return inTransaction(tx, async (t) => {
    const { institution, version } = await lockVersion(t, ctx, versionId);
    mayChange(ctx, institution.id);
    requireOpen(institution);
    if (version.status !== 'draft')
      throw new InvalidTransitionError('AgreementVersion', version.status, 'draft');
    const next = apply(version, c);
    if (unchanged(next, version)) {
      throw ValidationError.field(['input'], `this change leaves version ${version.version} as it is`);
    }
    await validate(t, institution.id, next, c);
    const after = one(
      await t.update(agreementVersions).set(next).where(eq(agreementVersions.id, versionId)).returning(),
    );
    await recordChange(t, ctx, {
      action: 'membership.amendDraftVersion',
      objectType: 'AgreementVersion',
      objectId: versionId,
      institutionId: institution.id,
      before: version,
      after,
    });
    return after;
  });
}
