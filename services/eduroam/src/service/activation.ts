import { ConflictError, PolicyRefusalError, type RequestContext } from '@guichet/core';
import type { Db, DbOrTx } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { currentAgreement, getContact, isServiceOpen } from '@guichet/membership';
import { AGREEMENT_CHANGE, fileRequest, type RequestRow } from '@guichet/workflow';
import { z } from 'zod';
import type { EduroamRuntime } from '../config.js';
import { parseWith } from '../inputs.js';
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

export async function requestActivation(
  db: Db,
  rt: EduroamRuntime,
  ctx: RequestContext,
  jobs: JobRunner | null,
  raw: unknown,
): Promise<RequestRow> {
  const input = parseWith(activationInput, raw);
  const contact = await getContact(db, input.eduroamContactId);
  if (contact && contact.institutionId === input.institutionId && !contact.phone) {
    throw new PolicyRefusalError(
      RULES.contactPhone,
      'input.eduroamContactId: the eduroam database needs a phone number for the eduroam contact: add one first (requestContactChange)',
    );
  }
  const current = await currentAgreement(db, input.institutionId);
  if (
    current &&
    (await isServiceOpen(db, input.institutionId, 'eduroam')) &&
    current.eduroamContactId === input.eduroamContactId &&
    current.eduroamPolicy === rt.config.EDUROAM_POLICY_VERSION
  ) {
    throw new ConflictError(
      `eduroam is already active with this contact under ${rt.config.EDUROAM_POLICY_VERSION}`,
    );
  }
  return fileRequest(
    db,
    ctx,
    jobs,
    {
      kind: AGREEMENT_CHANGE,
      institutionId: input.institutionId,
      payload: {
        activateServices: ['eduroam'],
        eduroamContactId: input.eduroamContactId,
        eduroamPolicy: rt.config.EDUROAM_POLICY_VERSION,
      },
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
