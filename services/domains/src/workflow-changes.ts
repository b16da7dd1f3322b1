import { eq, one } from '@guichet/db';
import { defineKind, ReturnToInstitution } from '@guichet/workflow';
import { z } from 'zod';
import { applyChange, NEEDS_DESK, type Operation, planChange } from './service/changes.js';
import { domains } from './tables.js';
import { dsSchema } from './workflow.js';

/**
 * `domains.change`: a later request on a name — name servers and DS, contacts, holder (AFNIC
 * trade), renewal, deletion (30-day redemption), restore. validate (automatic, at filing, under
 * the domain's row lock) → dnsCheck (external, name-server changes only: the same gate as a
 * registration) → administrative (the desk, holder changes only; approves itself otherwise) →
 * technical (the NOC) → apply (external: the registry, then the record).
 */

export const DOMAIN_CHANGE = 'domains.change';

const id = z.uuid();
export const changeSchema = z.discriminatedUnion('operation', [
  z.object({
    operation: z.literal('nameservers'),
    domainId: id,
    nameservers: z
      .array(
        z.object({
          name: z.string().trim().min(1).max(253),
          addresses: z.array(z.string().trim().max(45)).max(8).optional(),
        }),
      )
      .max(20),
    ds: z.array(dsSchema).max(8).optional(),
  }),
  z.object({
    operation: z.literal('contacts'),
    domainId: id,
    adminContactId: id,
    techContactIds: z.array(id).max(8),
  }),
  z.object({
    operation: z.literal('holder'),
    domainId: id,
    holder: z.object({
      name: z.string().trim().min(1).max(255),
      legalStatus: z.enum(['company', 'association', 'other']),
      siren: z.string().trim().max(20).optional(),
      vat: z.string().trim().max(20).optional(),
      waldec: z.string().trim().max(20).optional(),
      country: z.string().trim().length(2),
      city: z.string().trim().min(1).max(255),
      street: z.string().trim().max(255).optional(),
    }),
    keepDS: z.boolean().optional(),
  }),
  z.object({ operation: z.literal('renewal'), domainId: id, periodYears: z.number().int() }),
  z.object({ operation: z.literal('deletion'), domainId: id }),
  z.object({ operation: z.literal('restore'), domainId: id }),
]);
export type ChangePayload = z.output<typeof changeSchema>;

const planOf = (o: Record<string, Record<string, unknown>>) =>
  (o.validate?.plan ?? {}) as Record<string, unknown>;

export const CHANGE_KIND = defineKind<ChangePayload>({
  kind: DOMAIN_CHANGE,
  queue: 'domains',
  title: 'Domain name change',
  description:
    'Changes a name the institution holds: name servers and DS (checked like a registration), contacts, holder (AFNIC trade, validated by the agreement desk), renewal, deletion (30 days of redemption, during which it can be restored) or restore.',
  schema: changeSchema,
  summary: (p) => `${p.operation} of domain ${p.domainId}`,
  steps: [
    {
      name: 'validate',
      type: 'automatic',
      description:
        'Checks the change against the rules and the state of the name (locked while it is checked).',
      run: async (tx, { request, payload, ctx }) => ({
        operation: payload.operation,
        domainId: payload.domainId,
        plan: await planChange(tx, request.institutionId, payload, ctx.clock.now()),
      }),
    },
    {
      name: 'dnsCheck',
      type: 'external',
      description:
        'For a name-server change: the pre-delegation check of the new servers; any error returns the request with the findings.',
      run: async (db, { payload, outputs, env }) => {
        if (payload.operation !== 'nameservers') return { ran: false };
        const { gate } = env.line('domains');
        if (!gate) return { ran: false, note: 'checker not available' };
        const row = one(await db.select().from(domains).where(eq(domains.id, payload.domainId)));
        const plan = planOf(outputs);
        const { findings, blocking } = await gate({
          zone: row.name,
          nameservers: plan.nameservers as typeof row.nameservers,
          ds: plan.ds as typeof row.ds,
        });
        if (blocking) {
          const errors = findings.filter((f) => f.level === 'error');
          throw new ReturnToInstitution(
            `The check of the new name servers of ${row.uName} found ${errors.length} error(s): ${errors.map((f) => `${f.code} (${f.message})`).join('; ')}`,
            { findings },
          );
        }
        return { ran: true, findings };
      },
    },
    {
      name: 'administrative',
      type: 'human',
      actor: 'desk',
      description: 'The agreement desk validates a change of holder; approves itself for any other change.',
      autoApprove: async (_tx, { payload }) =>
        NEEDS_DESK.has(payload.operation as Operation)
          ? false
          : `a ${payload.operation} change needs no administrative validation`,
    },
    { name: 'technical', type: 'human', actor: 'noc', description: 'The NOC validates the change.' },
    {
      name: 'apply',
      type: 'external',
      description:
        'Carries the change out at the registry (or in the operator’s .prd.fr zone) and records it.',
      run: async (db, { request, payload, ctx, outputs, env }) => {
        const rt = env.line('domains');
        const prd = rt.prd;
        return applyChange(
          db,
          ctx,
          rt.registry,
          request.id,
          payload.domainId,
          payload.operation,
          planOf(outputs),
          prd
            ? async () => {
                const row = one(await db.select().from(domains).where(eq(domains.id, payload.domainId)));
                const { serial } = await prd.publish(db);
                if (row.state === 'active') await prd.verify(db, row.id, serial);
              }
            : null,
        );
      },
    },
  ],
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 3 * 24 * 60 },
});
