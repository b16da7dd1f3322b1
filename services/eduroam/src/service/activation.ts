import {
  ConflictError,
  ForbiddenError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
} from '@guichet/core';
import type { DbOrTx } from '@guichet/db';
import { canFileFor, currentAgreement, getContact } from '@guichet/membership';
import { AGREEMENT_CHANGE, type Env, fileRequest, type RequestRow } from '@guichet/workflow';
import { z } from 'zod';
import { RULES } from '../rules.js';

/**
 * Opening eduroam is an agreement change (membership's kind, `membership.agreementChange`): the
 * new version opens the eduroam service and carries the eduroam charter — the policy version
 * (EDUROAM_POLICY_VERSION) and the eduroam contact — in the document the head of institution
 * signs; the desk validates it; once it is active every eduroam declaration is allowed.
 */

const activationInput = z.object({
  institutionId: z.uuid(),
  /** The contact holding the `eduroam` role the charter names. */
  eduroamContactId: z.uuid(),
  submit: z.boolean().default(true),
});

/**
 * The agreement-change payload that opens eduroam: the service, the eduroam contact, and the
 * policy version of the line's configuration (the institution does not pick the policy). The
 * eduroam database needs the contact's phone number; asking again for the terms in force is a
 * conflict. The agreement kind itself checks the contact's role, the signature, the desk.
 */
export async function activationPayload(
  env: Env,
  ctx: RequestContext,
  raw: { institutionId: string; eduroamContactId: string },
) {
  const input = parseInput(activationInput, raw);
  // Before anything is read: whoever may not file learns nothing about the agreement.
  if (!canFileFor(ctx.actor, input.institutionId)) {
    throw new ForbiddenError(
      'Only a technical contact of the institution (or the agreement desk) files its requests',
    );
  }
  const db = env.database.db;
  const policy = env.line('eduroam').config.EDUROAM_POLICY_VERSION;
  const contact = await getContact(db, input.eduroamContactId);
  if (contact && contact.institutionId === input.institutionId && !contact.phone) {
    throw new PolicyRefusalError(
      RULES.contactPhone,
      'input.eduroamContactId: the eduroam database needs a phone number for the eduroam contact: add one first (requestContactChange)',
    );
  }
  const current = await currentAgreement(db, input.institutionId);
  if (
    current?.services.includes('eduroam') &&
    current.eduroamContactId === input.eduroamContactId &&
    current.eduroamPolicy === policy
  ) {
    throw new ConflictError(`eduroam is already active with this contact under ${policy}`);
  }
  return { activateServices: ['eduroam'], eduroamContactId: input.eduroamContactId, eduroamPolicy: policy };
}

/** Files the activation (a `membership.agreementChange`): signed by the head, validated by the desk. */
export async function requestActivation(env: Env, ctx: RequestContext, raw: unknown): Promise<RequestRow> {
  const input = parseInput(activationInput, raw);
  return fileRequest(
    env.database.db,
    ctx,
    env,
    {
      kind: AGREEMENT_CHANGE,
      institutionId: input.institutionId,
      payload: await activationPayload(env, ctx, input),
      submit: input.submit,
    },
    { payloadPath: ['input'] },
  );
}

export interface Charter {
  agreementVersionId: string;
  version: number;
  policy: string;
  eduroamContactId: string | null;
  documentHash: string;
  signedByName: string;
  signedAt: Date;
  activatedAt: Date | null;
}

/** The eduroam charter in force: policy version, signer, signed-document hash, dates (or null). */
export async function charterOf(db: DbOrTx, institutionId: string): Promise<Charter | null> {
  const v = await currentAgreement(db, institutionId);
  if (
    !v?.services.includes('eduroam') ||
    !v.eduroamPolicy ||
    !v.documentHash ||
    !v.signedAt ||
    !v.signedByName
  )
    return null;
  return {
    agreementVersionId: v.id,
    version: v.version,
    policy: v.eduroamPolicy,
    eduroamContactId: v.eduroamContactId,
    documentHash: v.documentHash,
    signedByName: v.signedByName,
    signedAt: v.signedAt,
    activatedAt: v.activatedAt,
  };
}
