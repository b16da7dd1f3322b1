import { builder } from '@guichet/graphql';
import { requestMutation, submitField } from '@guichet/workflow';
import { onboardingPayload } from '../service/onboarding.js';
import { ONBOARDING_REQUEST } from '../workflow.js';

/**
 * antispam mutations: filing an onboarding. The bind password is taken from the input, sealed
 * into its own row and never echoed (the payload names the row).
 */

const NextHopInput = builder.inputType('AntispamNextHopInput', {
  description: 'An institution mail server the gateway relays to.',
  fields: (f) => ({
    host: f.string({ description: 'Host name or address.' }),
    port: f.int({ required: false, description: 'TCP port (default 25).' }),
  }),
});

const DirectoryInput = builder.inputType('AntispamDirectoryInput', {
  description: 'The institution’s directory the gateway asks whether a recipient exists.',
  fields: (f) => ({
    url: f.string({ description: '`ldaps://host[:port]` or `ldap://host[:port]` (with StartTLS).' }),
    base: f.string({ description: 'Search base DN.' }),
    filter: f.string({ description: 'LDAP filter with `%s` where the address goes, e.g. `(mail=%s)`.' }),
    bindDn: f.string({ description: 'DN the gateway binds as.' }),
    bindPassword: f.string({ description: 'Its password: sealed at once, write-only, never returned.' }),
    resultAttribute: f.string({
      required: false,
      description: 'Attribute returned for a found address (default `mail`).',
    }),
    startTls: f.boolean({ required: false, description: 'StartTLS on an ldap:// URL (default true).' }),
  }),
});

const OnboardingInput = builder.inputType('RequestAntispamOnboardingInput', {
  description: 'Domains to route through the antispam gateway, with their directory and mail servers.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    domains: f.stringList({
      description: 'The domains, each proved by its TXT record (`Institution.antispam.domainProof`).',
    }),
    directory: f.field({ type: DirectoryInput, description: 'The directory.' }),
    nextHops: f.field({ type: [NextHopInput], description: 'The institution’s mail servers.' }),
    knownAddress: f.string({ description: 'An address that exists (the self-tests must find it).' }),
    unknownAddress: f.string({ description: 'An address that does not exist (must be refused).' }),
    allowPlainLdap: f.boolean({ required: false, description: 'Staff only: waive TLS to the directory.' }),
    submit: submitField(f),
  }),
});

interface OnboardingGql {
  institutionId: string | number;
  domains: string[];
  directory: {
    url: string;
    base: string;
    filter: string;
    bindDn: string;
    bindPassword: string;
    resultAttribute?: string | null;
    startTls?: boolean | null;
  };
  nextHops: { host: string; port?: number | null }[];
  knownAddress: string;
  unknownAddress: string;
  allowPlainLdap?: boolean | null;
  submit?: boolean | null;
}

const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null));

requestMutation<OnboardingGql>('requestAntispamOnboarding', {
  kind: ONBOARDING_REQUEST,
  description:
    'Asks to route domains through the antispam gateway (request kind `antispam.onboarding`): self-tested against the institution’s directory and mail servers, validated by the NOC, then published. A technical contact of the institution, or the desk.',
  input: OnboardingInput,
  inputDescription: 'The onboarding.',
  payload: (input, context) =>
    onboardingPayload(context.env, context.ctx, String(input.institutionId), {
      domains: input.domains,
      directory: drop(input.directory),
      nextHops: input.nextHops.map(drop),
      knownAddress: input.knownAddress,
      unknownAddress: input.unknownAddress,
      ...(input.allowPlainLdap == null ? {} : { allowPlainLdap: input.allowPlainLdap }),
    }),
});
