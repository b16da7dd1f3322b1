import { defineKind, ReturnToInstitution } from '@guichet/workflow';
import { describeFinding, hasErrors } from './model.js';
import { type OnboardingPayload, onboardingSchema } from './rules.js';
import {
  createOnboarding,
  getOnboarding,
  liveDomains,
  openBindPassword,
  recordSelfTest,
  withdrawOnboarding,
} from './service/onboarding.js';
import { publishPlatform } from './service/publication.js';
import { runSelfTests } from './service/selftest.js';

/**
 * `antispam.onboarding`: record (automatic, at filing: the onboarding and its domains, each
 * domain live for one institution only) → self-tests (external: TXT proof of every domain, LDAP
 * bind + known/unknown search, every next hop's banner, STARTTLS and RCPT refusal of the unknown
 * address; any error RETURNS the request with the findings) → noc-validation (human, the NOC)
 * → publish (external: the platform's Postfix maps rendered, checked by postfix check and
 * swapped; the domains become `configured`) → completed. The MX cut-over is not tracked yet.
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
        'TXT proof of each domain; LDAP bind and a search for the known (found) and unknown (not found) test addresses; each next hop reachable, its banner, STARTTLS offered, the unknown address refused at RCPT. Bounded by ANTISPAM_SELFTEST_TIMEOUT_SECONDS. Any error returns the request to the institution with the findings.',
      retry: { limit: 2, delaySeconds: 30, backoff: true },
      run: async (db, { ctx, outputs, env }) => {
        const ob = await getOnboarding(db, str(outputs.record?.onboardingId));
        const rows = await liveDomains(db, ob.id);
        const { findings, ms } = await runSelfTests(env.line('antispam'), {
          institutionId: ob.institutionId,
          domains: rows.map((d) => d.domain),
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
