import { eq, one } from '@guichet/db';
import { defineKind } from '@guichet/workflow';
import { z } from 'zod';
import { contactHandle } from './model.js';
import { ensureContacts, markActive, markProvisioning, newAuthInfo } from './service/provision.js';
import {
  createDomain,
  planRegistration,
  type RegistrationAsk,
  withdrawDomain,
} from './service/registration.js';
import { domains } from './tables.js';
import { registrationSchema } from './workflow.js';

/**
 * `domains.transfer`: a .fr name the institution holds at another registrar comes to the
 * operator. charter (automatic: the same rules and price as a registration) → administrative
 * (desk) → technical (NOC) → registry (external: contacts created, `transfer op="request"` with
 * the authInfo of the losing registrar and the new contacts, frnic keepDS). The authInfo is
 * sealed before it is filed (`sealTransferCode`) and opened only by the registry step.
 */

export const DOMAIN_TRANSFER = 'domains.transfer';

export const transferSchema = registrationSchema.extend({
  /** The losing registrar's authInfo, sealed (never stored in clear). */
  authInfoSealed: z.string().min(10).max(1000),
  keepDS: z.boolean().default(true),
});
export type TransferPayload = z.output<typeof transferSchema>;

export const transferContext = (name: string) => `domains.transfer:${name.trim().toLowerCase()}`;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const TRANSFER_KIND = defineKind<TransferPayload>({
  kind: DOMAIN_TRANSFER,
  queue: 'domains',
  title: 'Domain name transfer',
  description:
    'Brings a .fr name held at another registrar to the operator, with the transfer code given by the losing registrar: the same rules and price as a registration, validated by the desk and the NOC.',
  schema: transferSchema,
  summary: (p) => `transfer of ${p.name}`,
  steps: [
    {
      name: 'charter',
      type: 'automatic',
      description:
        'The naming charter, eligibility, contacts, name servers, DS, period and price, as for a registration.',
      run: async (tx, { request, payload, ctx }) => {
        const plan = await planRegistration(tx, request.institutionId, payload as RegistrationAsk);
        if (plan.name.zone !== 'fr') throw new Error('only .fr names are transferred');
        const row = await createDomain(tx, ctx, request.institutionId, request.id, plan);
        return { domainId: row.id, name: row.name, priceCents: row.priceCents, pricing: row.pricing };
      },
    },
    {
      name: 'administrative',
      type: 'human',
      actor: 'desk',
      description: 'The agreement desk checks the holder and the price.',
    },
    { name: 'technical', type: 'human', actor: 'noc', description: 'The NOC validates the transfer.' },
    {
      name: 'registry',
      type: 'external',
      description:
        'Creates the contacts at AFNIC and requests the transfer with the transfer code; the name is then active here.',
      run: async (db, { payload, ctx, outputs, env }) => {
        const id = str(outputs.charter?.domainId);
        const row = one(await db.select().from(domains).where(eq(domains.id, id)));
        if (row.state === 'active') return { already: true };
        const rt = env.line('domains');
        if (!rt.registry) throw new Error('the registry is not configured (DOMAINS_EPP_HOST)');
        const code = env.secrets.open(payload.authInfoSealed, transferContext(payload.name));
        await markProvisioning(db, ctx, id);
        const info = await rt.registry.info(row.name).catch(() => null);
        let exDate = info?.clID === rt.registry.clID ? info.exDate : undefined;
        if (!exDate) {
          await ensureContacts(db, rt.registry, row, newAuthInfo());
          const t = await rt.registry.transfer({
            name: row.name,
            authPw: code,
            admin: contactHandle(row.adminContactId),
            techs: row.techContactIds.map(contactHandle),
            keepDS: payload.keepDS,
          });
          exDate = t.exDate;
        }
        await markActive(db, ctx, id, {
          expiresAt: exDate ? new Date(exDate) : null,
          authInfoSealed: env.secrets.seal(code, `domain:${id}`),
        });
        return { transferred: true, expiresAt: exDate ?? null };
      },
    },
  ],
  onAbandon: async (tx, _request, ctx, outputs) => {
    const id = str(outputs.charter?.domainId);
    if (id) await withdrawDomain(tx, { ...ctx, actor: { kind: 'system', name: 'workflow' } }, id);
  },
  sla: { responseMinutes: 8 * 60, resolutionMinutes: 10 * 24 * 60 },
});
