import { ValidationError } from '@guichet/core';
import { eq, one } from '@guichet/db';
import { defineKind, ReturnToInstitution, type StepOutputs } from '@guichet/workflow';
import { z } from 'zod';
import { registryVerdict } from './rules.js';
import { letterOf, prepareLetter, signLetter } from './service/letters.js';
import { markActive, markProvisioning, newAuthInfo, registerAtRegistry } from './service/provision.js';
import {
  createDomain,
  planRegistration,
  type RegistrationAsk,
  withdrawDomain,
} from './service/registration.js';
import { domains } from './tables.js';

/**
 * `domains.registration`: charter (automatic, at filing: the naming charter, then eligibility,
 * contacts, name servers, DS, period and the price; a refusal files nothing) → availability
 * (external: the registry's check; taken or forbidden returns the request, a reserved term goes
 * to prior review) → signature (the head of institution signs the letter of commitment and its
 * technical annex) → administrative (the agreement desk) → dnsCheck (external: the same
 * pre-delegation gate as reverse zones; any error returns the request with the findings) →
 * technical (the NOC; enters AFNIC's authorisation code for a name under prior review) →
 * registry (external: contacts, hosts and domain created at AFNIC; a `.prd.fr` name is published
 * in the operator's own zone and verified by querying its server) → completed, domain active.
 */

export const DOMAIN_REGISTRATION = 'domains.registration';

const nameServer = z.object({
  name: z.string().trim().min(1).max(253),
  addresses: z.array(z.string().trim().min(1).max(45)).max(8).optional(),
});
export const dsSchema = z.object({
  keyTag: z.number().int(),
  algorithm: z.number().int(),
  digestType: z.number().int(),
  digest: z.string().trim().min(1).max(200),
});
const holderSchema = z.object({
  name: z.string().trim().min(1).max(255),
  legalStatus: z.enum(['company', 'association', 'other']),
  siren: z.string().trim().max(20).optional(),
  vat: z.string().trim().max(20).optional(),
  waldec: z.string().trim().max(20).optional(),
  country: z.string().trim().length(2).optional(),
  city: z.string().trim().min(1).max(255),
  street: z.string().trim().max(255).optional(),
  postalCode: z.string().trim().max(16).optional(),
});

export const registrationSchema = z.object({
  name: z.string().trim().min(1).max(300),
  holder: holderSchema.optional(),
  adminContactId: z.uuid(),
  techContactIds: z.array(z.uuid()).max(8),
  nameservers: z.array(nameServer).max(20),
  ds: z.array(dsSchema).max(8).optional(),
  periodYears: z.number().int().default(1),
});
export type RegistrationPayload = z.output<typeof registrationSchema>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const domainIdOf = (outputs: StepOutputs) => str(outputs.charter?.domainId);
const priorReviewOf = (outputs: StepOutputs) => str(outputs.availability?.priorReview) || undefined;

export const REGISTRATION_KIND = defineKind<RegistrationPayload>({
  kind: DOMAIN_REGISTRATION,
  queue: 'domains',
  title: 'Domain name',
  description:
    'A .fr name registered by the operator with AFNIC, or a name under .prd.fr published in the operator’s own zone: the naming charter, the letter of commitment signed by the head of institution, administrative then technical validation. Included for institutions under a supervising ministry; 75 € a name under contract, the first name free.',
  schema: registrationSchema,
  summary: (p) => `domain ${p.name}`,
  steps: [
    {
      name: 'charter',
      type: 'automatic',
      description:
        'The AFNIC naming charter (letters, hyphens, 63 octets, UTS #46 round trip), then the holder’s eligibility, the contacts (1 administrative, 1–3 technical), the name servers (at least two, glue inside the name only), DS (digest types 2 and 4), the period, and the price.',
      run: async (tx, { request, payload, ctx, pass }) => {
        const plan = await planRegistration(tx, request.institutionId, payload as RegistrationAsk);
        const row = await createDomain(tx, ctx, request.institutionId, request.id, plan);
        const letter = await prepareLetter(tx, row.id, request.id, pass);
        return {
          domainId: row.id,
          name: row.name,
          uName: row.uName,
          priceCents: row.priceCents,
          pricing: row.pricing,
          letterHash: letter.hash,
        };
      },
    },
    {
      name: 'availability',
      type: 'external',
      description:
        'Asks the registry whether the name is available: taken or forbidden returns the request; a reserved term (commune, State…) is not refused but goes to AFNIC’s prior review.',
      run: async (db, { outputs, request, pass, env }) => {
        const name = str(outputs.charter?.name);
        if (name.endsWith('.prd.fr')) return { checked: 'operator zone' };
        const { registry } = env.line('domains');
        if (!registry) return { checked: false, note: 'registry not configured' };
        const [c] = await registry.check([name]);
        if (!c) throw new Error(`the registry did not answer for ${name}`);
        let verdict: ReturnType<typeof registryVerdict>;
        try {
          verdict = registryVerdict(c);
        } catch (e) {
          throw new ReturnToInstitution((e as Error).message, { name, check: c });
        }
        if (verdict.verdict === 'prior-review') {
          await db.transaction((tx) =>
            prepareLetter(tx, domainIdOf(outputs), request.id, pass, verdict.reason),
          );
          return { checked: true, priorReview: verdict.reason };
        }
        return { checked: true };
      },
    },
    {
      name: 'signature',
      type: 'human',
      actor: 'head',
      description:
        'The head of institution reads the letter of commitment and its technical annex, and signs it.',
      dataSchema: z.object({ documentHash: z.string() }),
      run: async (tx, { request, data, pass, ctx }) => {
        const signed = await signLetter(
          tx,
          ctx,
          request.institutionId,
          request.id,
          pass,
          String(data?.documentHash),
        );
        return { documentHash: signed.hash, signedBy: signed.signedByName };
      },
    },
    {
      name: 'administrative',
      type: 'human',
      actor: 'desk',
      description: 'The agreement desk checks the holder, the letter and the price.',
    },
    {
      name: 'dnsCheck',
      type: 'external',
      description:
        'Pre-delegation check of the name servers (the gate of reverse zones: reachable over UDP and TCP, authoritative, same serial, the NS set requested, no open recursion, EDNS, DS matching the served keys). Any error returns the request with the findings.',
      run: async (db, { outputs, env }) => {
        const row = one(
          await db
            .select()
            .from(domains)
            .where(eq(domains.id, domainIdOf(outputs))),
        );
        const { gate } = env.line('domains');
        if (!gate)
          return {
            ran: false,
            findings: [{ level: 'notice', code: 'CHECKER_NOT_AVAILABLE', message: 'checker not available' }],
          };
        const { findings, blocking } = await gate({
          zone: row.name,
          nameservers: row.nameservers,
          ds: row.ds,
        });
        if (blocking) {
          const errors = findings.filter((f) => f.level === 'error');
          throw new ReturnToInstitution(
            `The check of the name servers of ${row.uName} found ${errors.length} error(s): ${errors.map((f) => `${f.code} (${f.message})`).join('; ')}`,
            { name: row.name, findings },
          );
        }
        return { ran: true, findings };
      },
    },
    {
      name: 'technical',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC validates the technical annex and the check; for a name under prior review it enters AFNIC’s authorisation code.',
      dataSchema: z.object({ authorizationCode: z.string().trim().min(6).max(64).optional() }),
      run: async (_tx, { data, outputs }) => {
        const code = str(data?.authorizationCode);
        if (priorReviewOf(outputs) && !code) {
          throw ValidationError.field(
            ['input', 'data', 'authorizationCode'],
            'the name is under prior review: enter AFNIC’s authorisation code',
          );
        }
        return code ? { authorizationCode: code } : {};
      },
    },
    {
      name: 'registry',
      type: 'external',
      description:
        'Creates the holder, the contacts, the host objects and the domain at AFNIC (or publishes a .prd.fr name in the operator’s zone and verifies it there); the domain is then active.',
      run: async (db, { ctx, outputs, env }) => {
        const id = domainIdOf(outputs);
        const row = one(await db.select().from(domains).where(eq(domains.id, id)));
        if (row.state === 'active') return { already: true };
        await markProvisioning(db, ctx, id);
        const rt = env.line('domains');
        if (row.zone === 'prd.fr') {
          if (!rt.prd) {
            await markActive(db, ctx, id, { expiresAt: null, authInfoSealed: null });
            return { published: false, note: 'no .prd.fr server configured' };
          }
          // The zone renders from the database: the name must be active before it is rendered.
          await markActive(db, ctx, id, { expiresAt: null, authInfoSealed: null });
          const { serial } = await rt.prd.publish(db);
          await rt.prd.verify(db, id, serial);
          return { published: true, serial };
        }
        if (!rt.registry) throw new Error('the registry is not configured (DOMAINS_EPP_HOST)');
        const authInfo = newAuthInfo();
        const code = str(outputs.technical?.authorizationCode) || undefined;
        const r = await registerAtRegistry(db, rt.registry, row, {
          authInfo,
          ...(code ? { authorizationCode: code } : {}),
        });
        await markActive(db, ctx, id, {
          expiresAt: r.exDate ? new Date(r.exDate) : null,
          authInfoSealed: env.secrets.seal(code ?? authInfo, `domain:${id}`),
        });
        return { registered: true, created: r.created, expiresAt: r.exDate };
      },
    },
  ],
  onAbandon: async (tx, _request, ctx, outputs) => {
    const id = domainIdOf(outputs);
    if (id) await withdrawDomain(tx, { ...ctx, actor: { kind: 'system', name: 'workflow' } }, id);
  },
  document: async (db, request) => {
    const l = await letterOf(db, request.id);
    return l ? { text: l.text, hash: l.hash } : null;
  },
  sla: { responseMinutes: 8 * 60, resolutionMinutes: 10 * 24 * 60 },
});
