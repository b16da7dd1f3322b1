import { type RequestContext, ValidationError } from '@guichet/core';
import {
  activateVersion,
  amendDraftVersion,
  createDraftVersion,
  getAgreementVersion,
  listAgreementVersions,
  renderVersion,
  SERVICES,
  signVersion,
  withdrawVersion,
} from '@guichet/membership';
import { z } from 'zod';
import { registerKind, type StepOutputs } from '../kinds.js';

/**
 * `membership.agreementChange`: a change to the agreement that needs a new signature —
 * bandwidth, security contact, secondary sites, services (DOMAIN.md, "The agreement").
 * draft (automatic: a draft version) → signature (the head of institution signs the document
 * they read) → validation (the agreement desk activates the version) → completed.
 * Membership's functions do the work and hold the rules; the steps only sequence them.
 */

const service = z.enum(SERVICES);

export const agreementChangeSchema = z
  .object({
    bandwidthMbps: z.number().int().positive().max(400_000).optional(),
    /** null: the charter declares no security contact (the signature will then be refused). */
    securityContactId: z.uuid().nullable().optional(),
    /** The whole new list of secondary sites. */
    secondarySiteIds: z.array(z.uuid()).max(500).optional(),
    activateServices: z.array(service).max(SERVICES.length).optional(),
    /** With eduroam: the eduroam contact and the policy version of the charter the head signs. */
    eduroamContactId: z.uuid().nullable().optional(),
    eduroamPolicy: z.string().trim().min(1).max(200).optional(),
    deactivateServices: z.array(service).max(SERVICES.length).optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), {
    message: 'name at least one change: bandwidth, security contact, secondary sites or services',
  });
export type AgreementChange = z.output<typeof agreementChangeSchema>;

export const AGREEMENT_CHANGE = 'membership.agreementChange';

const versionOf = (outputs: StepOutputs): string | undefined => {
  const id = outputs.draft?.versionId;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Cleanup is the engine's, not the acting person's: a NOC engineer who returns the request may
 * not withdraw agreement versions themselves. The request id still ties the change-log row to
 * the action that caused it.
 */
const engineContext = (ctx: RequestContext): RequestContext => ({
  ...ctx,
  actor: { kind: 'system', name: 'workflow' },
});

registerKind<AgreementChange>({
  kind: AGREEMENT_CHANGE,
  queue: 'membership',
  title: 'Agreement change',
  description:
    'Changes the bandwidth, the security contact, the secondary sites or the services of the agreement: a new version, signed by the head of institution and validated by the agreement desk.',
  schema: agreementChangeSchema,
  steps: [
    {
      name: 'draft',
      type: 'automatic',
      description:
        'Prepares a draft version of the agreement with the changes (for a new member, its first version, drafted with the institution, amended with them).',
      run: async (tx, { request, payload, ctx }) => {
        // A new member's version 1 is drafted with the institution, before it has contacts:
        // its first signature goes through this kind, on that draft (amended, not a copy).
        const versions = await listAgreementVersions(tx, request.institutionId);
        const first = versions.some((v) => v.status === 'active')
          ? undefined
          : versions.find((v) => v.status === 'draft');
        const v = first
          ? await amendDraftVersion(tx, ctx, first.id, payload)
          : await createDraftVersion(tx, ctx, request.institutionId, payload);
        return { versionId: v.id, version: v.version };
      },
    },
    {
      name: 'signature',
      type: 'human',
      actor: 'head',
      description: 'The head of institution reads the document and signs it.',
      dataSchema: z.object({ documentHash: z.string() }),
      run: async (tx, { data, outputs, ctx }) => {
        const versionId = versionOf(outputs);
        if (!versionId) throw new ValidationError('the draft version of this request is missing');
        const signed = await signVersion(tx, ctx, versionId, { documentHash: String(data?.documentHash) });
        return { documentHash: signed.documentHash };
      },
    },
    {
      name: 'validation',
      type: 'human',
      actor: 'desk',
      description: 'The agreement desk validates the signed version, which takes effect.',
      run: async (tx, { outputs, ctx }) => {
        const versionId = versionOf(outputs);
        if (!versionId) throw new ValidationError('the draft version of this request is missing');
        const active = await activateVersion(tx, ctx, versionId);
        return { activeVersion: active.version };
      },
    },
  ],
  sla: { responseMinutes: 8 * 60, resolutionMinutes: 10 * 24 * 60 },
  onAbandon: async (tx, request, ctx, outputs) => {
    const versionId = versionOf(outputs);
    if (!versionId) return;
    const v = await getAgreementVersion(tx, versionId);
    // Idempotent: a version already withdrawn (or, impossibly, active) is left as it is.
    if (v?.status !== 'draft' && v?.status !== 'signed') return;
    const reason = (request.reason ?? `request ${request.status}`).slice(0, 1000);
    await withdrawVersion(tx, engineContext(ctx), versionId, reason);
  },
  document: async (db, _request, outputs) => {
    const versionId = versionOf(outputs);
    return versionId ? renderVersion(db, versionId) : null;
  },
});
