import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  PolicyRefusalError,
  type RequestContext,
} from '@guichet/core';
import { and, type DbOrTx, eq, ne } from '@guichet/db';
import { reasonSchema, signatureSchema } from '../inputs.js';
import {
  AGREEMENT_CONFLICTS,
  type AgreementVersionRow,
  guard,
  inTransaction,
  one,
  requireOpen,
} from '../internal.js';
import { parseInput } from '../model.js';
import { canFileFor, canManageMembership, canSignFor } from '../rules.js';
import { agreementVersions } from '../tables.js';
import { renderVersion } from './queries.js';
import { checkEduroamTerms, checkSecurityContact, checkSites, lockVersion } from './validate.js';

/**
 * The head of institution signs a draft: `documentHash` is the SHA-256 of the document they
 * read (`renderVersion`); if the document changed since, the signature is refused
 * (ConflictError) so nobody signs what they did not read. One signature covers every section.
 */
export async function signVersion(
  tx: DbOrTx,
  ctx: RequestContext,
  versionId: string,
  input: { documentHash: string },
): Promise<AgreementVersionRow> {
  const { documentHash } = parseInput(signatureSchema, input);
  return inTransaction(tx, async (t) => {
    const { institution, version } = await lockVersion(t, ctx, versionId);
    const { actor } = ctx;
    if (!canSignFor(actor, institution.id) || actor.kind !== 'contact') {
      throw new ForbiddenError('Only the head of institution signs its agreement');
    }
    requireOpen(institution);
    if (version.status !== 'draft')
      throw new InvalidTransitionError('AgreementVersion', version.status, 'signed');
    if (!version.securityContactId) {
      throw new PolicyRefusalError(
        'security-contact-required',
        'the charter must declare a security contact before the agreement is signed',
      );
    }
    const doc = await renderVersion(t, version);
    if (doc.hash !== documentHash) throw new ConflictError('the document changed since you read it');
    const after = one(
      await t
        .update(agreementVersions)
        .set({
          status: 'signed',
          documentHash: doc.hash,
          signedDocument: doc.text,
          signedByContactId: actor.id,
          signedByName: actor.displayName,
          signedAt: ctx.clock.now(),
        })
        .where(eq(agreementVersions.id, versionId))
        .returning(),
    );
    await recordChange(t, ctx, {
      action: 'membership.signVersion',
      objectType: 'AgreementVersion',
      objectId: versionId,
      institutionId: institution.id,
      before: version,
      after,
    });
    return after;
  });
}

/**
 * The agreement desk validates a signed version: it becomes active and the version it replaces
 * superseded, in the same transaction. Refused if what it names went away since it was signed.
 */
export async function activateVersion(
  tx: DbOrTx,
  ctx: RequestContext,
  versionId: string,
): Promise<AgreementVersionRow> {
  if (!canManageMembership(ctx.actor))
    throw new ForbiddenError('Only the agreement desk validates agreements');
  const work = inTransaction(tx, async (t) => {
    const { institution, version } = await lockVersion(t, ctx, versionId);
    requireOpen(institution);
    if (version.status !== 'signed')
      throw new InvalidTransitionError('AgreementVersion', version.status, 'active');
    const stale = [
      ...(await checkSecurityContact(t, institution.id, version.securityContactId)),
      ...(await checkSites(t, institution.id, version.secondarySiteIds, false)),
      ...(await checkEduroamTerms(t, institution.id, version)),
    ];
    if (stale.length) {
      throw new PolicyRefusalError(
        'agreement-stale',
        `version ${version.version} can no longer take effect: ${stale.map((i) => i.message).join('; ')}`,
      );
    }
    const now = ctx.clock.now();
    const superseded = await t
      .update(agreementVersions)
      .set({ status: 'superseded' })
      .where(
        and(
          eq(agreementVersions.institutionId, institution.id),
          eq(agreementVersions.status, 'active'),
          ne(agreementVersions.id, versionId),
        ),
      )
      .returning();
    for (const s of superseded) {
      await recordChange(t, ctx, {
        action: 'membership.activateVersion',
        objectType: 'AgreementVersion',
        objectId: s.id,
        institutionId: institution.id,
        before: { ...s, status: 'active' },
        after: s,
      });
    }
    const after = one(
      await t
        .update(agreementVersions)
        .set({ status: 'active', activatedBy: actorLabel(ctx.actor), activatedAt: now })
        .where(eq(agreementVersions.id, versionId))
        .returning(),
    );
    await recordChange(t, ctx, {
      action: 'membership.activateVersion',
      objectType: 'AgreementVersion',
      objectId: versionId,
      institutionId: institution.id,
      before: version,
      after,
    });
    return after;
  });
  return guard(work, { unique: AGREEMENT_CONFLICTS });
}

/**
 * Abandons a pending (draft or signed) version, e.g. when its request is cancelled or refused.
 * Allowed to the desk, to whoever may file for the institution, and to its head.
 */
export async function withdrawVersion(
  tx: DbOrTx,
  ctx: RequestContext,
  versionId: string,
  reason: string,
): Promise<AgreementVersionRow> {
  const why = parseInput(reasonSchema, reason, ['reason']);
  return inTransaction(tx, async (t) => {
    const { institution, version } = await lockVersion(t, ctx, versionId);
    const { actor } = ctx;
    if (
      !canManageMembership(actor) &&
      !canFileFor(actor, institution.id) &&
      !canSignFor(actor, institution.id)
    ) {
      throw new ForbiddenError('You may not withdraw this agreement version');
    }
    if (version.status !== 'draft' && version.status !== 'signed') {
      throw new InvalidTransitionError('AgreementVersion', version.status, 'withdrawn');
    }
    const after = one(
      await t
        .update(agreementVersions)
        .set({ status: 'withdrawn' })
        .where(eq(agreementVersions.id, versionId))
        .returning(),
    );
    await recordChange(t, ctx, {
      action: 'membership.withdrawVersion',
      objectType: 'AgreementVersion',
      objectId: versionId,
      institutionId: institution.id,
      before: version,
      after: { ...after, reason: why },
    });
    return after;
  });
}
