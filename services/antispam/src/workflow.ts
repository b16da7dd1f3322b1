import { defineKind, ReturnToInstitution } from '@guichet/workflow';
import { z } from 'zod';
import { describeFinding, hasErrors } from './model.js';
import { type OnboardingPayload, onboardingSchema, type ReportPayload, reportSchema } from './rules.js';
import {
  createOnboarding,
  getOnboarding,
  liveDomains,
  openBindPassword,
  recordSelfTest,
  withdrawOnboarding,
} from './service/onboarding.js';
import { recordedDomains } from './service/proof.js';
import { publishPlatform } from './service/publication.js';
import { dismissReport, learnReport, linkReport, scanReport } from './service/reports.js';
import { runSelfTests } from './service/selftest.js';

/**
 * `antispam.onboarding`: record (automatic, at filing: the onboarding and its domains, each
 * domain live for one institution only) → self-tests (external: TXT proof of every domain, LDAP
 * bind + known/unknown search, every next hop's banner, STARTTLS and RCPT refusal of the unknown
 * address; any error RETURNS the request with the findings) → noc-validation (human, the NOC)
 * → publish (external: the platform's Postfix maps rendered, checked by postfix check and
 * swapped; the domains become `configured`) → completed. The MX cut-over follows (service/cutover.ts).
 */

export const ONBOARDING_REQUEST = 'antispam.onboarding';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export const ONBOARDING_KIND = defineKind<OnboardingPayload>({
  kind: ONBOARDING_REQUEST,
  queue: 'antispam',
  title: 'Antispam onboarding',
  description:
    'Connects mail domains of the institution to the shared antispam gateway: proved in DNS, its directory and mail servers self-tested, validated by the NOC, then published in the gateway’s Postfix maps.',
  schema: onboardingSchema,
  summary: (p) => `antispam for ${p.domains.join(', ')}`,
  steps: [
    {
      name: 'record',
      type: 'automatic',
      description:
        'Records the onboarding and its domains (a domain already on the gateway is refused); the bind password stays sealed.',
      run: async (tx, { request, payload, ctx }) => {
        const row = await createOnboarding(tx, ctx, request.id, request.institutionId, payload);
        return { onboardingId: row.id };
      },
    },
    {
      name: 'self-tests',
      type: 'external',
      description:
        'TXT proof of each domain (none for a domain Guichet registers for the institution); LDAP bind and a search for the known (found) and unknown (not found) test addresses; each next hop reachable, its banner, STARTTLS offered, the unknown address refused at RCPT. Bounded by ANTISPAM_SELFTEST_TIMEOUT_SECONDS. Any error returns the request to the institution with the findings.',
      retry: { limit: 2, delaySeconds: 30, backoff: true },
      run: async (db, { ctx, outputs, env }) => {
        const ob = await getOnboarding(db, str(outputs.record?.onboardingId));
        const rows = await liveDomains(db, ob.id);
        const names = rows.map((d) => d.domain);
        const { findings, ms } = await runSelfTests(env.line('antispam'), {
          institutionId: ob.institutionId,
          domains: names,
          recorded: await recordedDomains(db, ob.institutionId, names),
          directory: ob.directory,
          bindPassword: await openBindPassword(db, env, ob.bindSecretId),
          nextHops: ob.nextHops,
          knownAddress: ob.knownAddress,
          unknownAddress: ob.unknownAddress,
        });
        const passed = !hasErrors(findings);
        await db.transaction((tx) => recordSelfTest(tx, ctx, ob.id, findings, ms, passed));
        if (!passed) {
          const errors = findings.filter((f) => f.level === 'error');
          throw new ReturnToInstitution(
            `The antispam self-tests found ${errors.length} error(s): ${errors.map(describeFinding).join('; ')}`,
            { findings },
          );
        }
        return { findings, ms };
      },
    },
    {
      name: 'noc-validation',
      type: 'human',
      actor: 'noc',
      description: 'The NOC reviews the findings and the domains before the gateway takes them.',
    },
    {
      name: 'publish',
      type: 'external',
      description:
        'Renders the gateway’s relay_domains, transport and per-institution LDAP maps, checks them with postfix check and swaps them in atomically (a refused release leaves the running one); the domains become configured.',
      run: async (_db, { ctx, outputs, env }) => {
        const out = await publishPlatform(env, ctx, str(outputs.record?.onboardingId));
        if (out.status === 'refused')
          throw new Error(`postfix check refused the release: ${out.errors.join('; ')}`);
        return { status: out.status, hash: out.hash, domains: out.domains };
      },
    },
  ],
  onAbandon: async (tx, request, ctx) => {
    await withdrawOnboarding(tx, ctx, request.id, request.status === 'returned');
  },
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 5 * 24 * 60 },
});

export const REPORT_REQUEST = 'antispam.misclassification';

/**
 * `antispam.misclassification`: record (automatic: the stored message is this request's) → scan
 * (external: rspamd's score, action and symbols, in the history and on the report) →
 * noc-confirmation (human, the NOC; data `{ "allowSender": true }` to allow-list the sender of a
 * false positive) → learn (external: `rspamc learn_ham` / `learn_spam`, the allow-list entry).
 * Rejected or cancelled: the report is dismissed, nothing learned.
 */
export const REPORT_KIND = defineKind<ReportPayload>({
  kind: REPORT_REQUEST,
  queue: 'antispam',
  title: 'Antispam misclassification',
  description:
    'A message the gateway got wrong, reported by the institution: a false positive (ham taken for spam) or a false negative (spam let through). The NOC reviews rspamd’s score and symbols; once confirmed, rspamd learns it, and the sender of a false positive can be put on the institution’s allow list.',
  schema: reportSchema,
  summary: (p) => `${p.kind} from ${p.sender ?? 'unknown sender'}: ${p.subject ?? '(no subject)'}`,
  steps: [
    {
      name: 'record',
      type: 'automatic',
      description: 'Links the stored message to the request.',
      run: async (tx, { request, payload }) => {
        await linkReport(tx, request.id, request.institutionId, payload.reportId);
        return { reportId: payload.reportId };
      },
    },
    {
      name: 'scan',
      type: 'external',
      description: 'Scans the message with the gateway’s rspamd: its score, action and symbols, for the NOC.',
      retry: { limit: 3, delaySeconds: 30, backoff: true },
      run: async (_db, { payload, env }) => {
        const s = await scanReport(env, payload.reportId);
        return {
          score: s.score,
          action: s.action,
          symbols: s.symbols.slice(0, 30).map((x) => `${x.name}(${x.score})`),
        };
      },
    },
    {
      name: 'noc-confirmation',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC confirms the misclassification (rejecting it dismisses the report). Data `{ "allowSender": true }` also allow-lists the sender of a false positive.',
      dataSchema: z.object({ allowSender: z.boolean().default(false) }),
      run: async (_tx, { data }) => ({ allowSender: data?.allowSender === true }),
    },
    {
      name: 'learn',
      type: 'external',
      description:
        'Teaches rspamd (`rspamc learn_ham` for a false positive, `learn_spam` for a false negative); allow-lists the sender if the NOC asked.',
      run: async (_db, { payload, env, ctx, outputs }) =>
        learnReport(env, ctx, payload.reportId, outputs['noc-confirmation']?.allowSender === true),
    },
  ],
  onAbandon: async (tx, request) => {
    await dismissReport(tx, request.id);
  },
  sla: { responseMinutes: 8 * 60, resolutionMinutes: 3 * 24 * 60 },
});
