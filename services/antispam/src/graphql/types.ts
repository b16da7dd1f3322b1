import { isStaff } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { canFileFor, InstitutionRef } from '@guichet/membership';
import { domainProof } from '../dns.js';
import type { DOMAIN_STATES, Finding, MxCheck } from '../model.js';
import { type DomainRow, latestOnboarding, listDomains, type OnboardingRow } from '../service/onboarding.js';

/**
 * The antispam GraphQL types and `Institution.antispam`. No type has a field for the bind
 * password or its seal: it is write-only (`requestAntispamOnboarding`).
 */

export const DomainStateEnum = builder.enumType('AntispamDomainState', {
  description: 'Where an antispam domain stands on the gateway.',
  values: {
    REQUESTED: { value: 'requested', description: 'Filed; not yet in the gateway’s maps.' },
    CONFIGURED: {
      value: 'configured',
      description:
        'In the published maps: the gateway accepts and relays its mail (its MX may still point elsewhere).',
    },
    TEST_PASSED: {
      value: 'test-passed',
      description: 'The NOC saw a test message pass through the gateway; the MX cut-over is awaited.',
    },
    ACTIVE: {
      value: 'active',
      description: 'Every MX of the domain (asked of its authoritative servers) is the gateway.',
    },
    WITHDRAWN: { value: 'withdrawn', description: 'Left the gateway (returned or cancelled onboarding).' },
  } satisfies Record<string, { value: (typeof DOMAIN_STATES)[number]; description: string }>,
});

export const FindingLevelEnum = builder.enumType('AntispamFindingLevel', {
  description: 'How serious a self-test result is.',
  values: {
    OK: { value: 'ok', description: 'Passed.' },
    WARNING: { value: 'warning', description: 'Shown, does not block (e.g. no STARTTLS on the next hop).' },
    ERROR: { value: 'error', description: 'Blocks the onboarding: the request is returned.' },
  } as const,
});

export const FindingRef = builder.objectRef<Finding>('AntispamFinding').implement({
  description: 'One self-test result, as shown to the institution.',
  fields: (t) => ({
    check: t.exposeString('check', {
      description:
        '`dns.proof`, `ldap.bind`, `ldap.known`, `ldap.unknown`, `smtp.connect`, `smtp.starttls`, `smtp.rcpt`…',
    }),
    level: t.field({
      type: FindingLevelEnum,
      description: 'Passed, warning or error.',
      resolve: (f) => f.level,
    }),
    target: t.exposeString('target', {
      description: 'What was tested: a domain, the directory URL, a next hop, an address.',
    }),
    message: t.exposeString('message', { description: 'What was seen.' }),
    ms: t.exposeInt('ms', { description: 'How long the check took, ms.' }),
  }),
});

const MxRecordRef = builder.objectRef<MxCheck['records'][number]>('AntispamMxRecord').implement({
  description: 'One MX record of the domain, as its authoritative servers serve it.',
  fields: (t) => ({
    exchange: t.exposeString('exchange', { description: 'The mail host (lower case).' }),
    preference: t.exposeInt('preference', { description: 'Its preference (lower is tried first).' }),
    atPlatform: t.exposeBoolean('atPlatform', { description: 'Whether it is one of the gateway’s hosts.' }),
  }),
});

const MxCheckRef = builder.objectRef<MxCheck>('AntispamMxCheck').implement({
  description: 'An MX poll of the domain’s authoritative servers during the cut-over.',
  fields: (t) => ({
    servers: t.exposeStringList('servers', { description: 'The authoritative servers asked.' }),
    records: t.field({ type: [MxRecordRef], description: 'Every MX they serve.', resolve: (c) => c.records }),
    allAtPlatform: t.exposeBoolean('allAtPlatform', {
      description: 'Every MX is the gateway (the domain can be active).',
    }),
    bypass: t.exposeStringList('bypass', {
      description:
        'Flagged: MX hosts that are not the gateway (e.g. a backup MX still at the institution, which bypasses the filter).',
    }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why the poll could not tell, if it could not.',
    }),
  }),
});

export const DomainRef = builder.objectRef<DomainRow>('AntispamDomain').implement({
  description: 'A mail domain routed through the antispam gateway.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its identifier (the resource’s object id).' }),
    domain: t.exposeString('domain', { description: 'The domain (lower case); its subdomains follow it.' }),
    institutionId: t.exposeID('institutionId', { description: 'The institution it belongs to.' }),
    state: t.field({
      type: DomainStateEnum,
      description: 'Where it stands.',
      resolve: (d) => d.state as never,
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change of state.' }),
    mx: t.field({
      type: MxCheckRef,
      nullable: true,
      description: 'The latest MX poll of its authoritative servers (from the test message on).',
      resolve: (d) => d.mx,
    }),
    mxCheckedAt: t.expose('mxCheckedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the MX were last polled.',
    }),
  }),
});

const NextHopRef = builder.objectRef<{ host: string; port: number }>('AntispamNextHop').implement({
  description: 'An institution mail server the gateway relays to.',
  fields: (t) => ({
    host: t.exposeString('host', { description: 'Host name or address.' }),
    port: t.exposeInt('port', { description: 'TCP port.' }),
  }),
});

export const OnboardingRef = builder.objectRef<OnboardingRow>('AntispamOnboarding').implement({
  description: 'An onboarding request’s directory, next hops and latest self-test (never the bind password).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its identifier.' }),
    requestId: t.exposeID('requestId', { description: 'The request (`antispam.onboarding`).' }),
    state: t.exposeString('state', {
      description: '`testing`, `returned` (self-tests failed), `tested`, `published`, `withdrawn`.',
    }),
    directoryUrl: t.string({ description: 'The LDAP URL.', resolve: (o) => o.directory.url }),
    searchBase: t.string({ description: 'The search base.', resolve: (o) => o.directory.base }),
    queryFilter: t.string({
      description: 'The filter (`%s` = the address).',
      resolve: (o) => o.directory.filter,
    }),
    bindDn: t.string({
      description: 'The bind DN (the password is write-only).',
      resolve: (o) => o.directory.bindDn,
    }),
    nextHops: t.field({
      type: [NextHopRef],
      description: 'Where the gateway relays.',
      resolve: (o) => o.nextHops,
    }),
    findings: t.field({
      type: [FindingRef],
      description: 'Results of the latest self-test run.',
      resolve: (o) => o.findings,
    }),
    testedAt: t.expose('testedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the self-tests last ran.',
    }),
    testMs: t.exposeInt('testMs', { nullable: true, description: 'How long that run took, ms.' }),
  }),
});

const ProofRef = builder.objectRef<{ name: string; value: string }>('AntispamDomainProof').implement({
  description: 'The TXT record that proves a domain is the institution’s.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Owner name (`_guichet-antispam.<domain>`).' }),
    value: t.exposeString('value', { description: 'The TXT value (`guichet-antispam=<token>`).' }),
  }),
});

export const AntispamRef = builder.objectRef<{ institutionId: string }>('InstitutionAntispam').implement({
  description: 'An institution’s antispam service: its domains on the gateway and its latest onboarding.',
  fields: (t) => ({
    domains: t.field({
      type: [DomainRef],
      description: 'Its domains (withdrawn ones left out).',
      resolve: (a, _x, { database }) => listDomains(database.db, a.institutionId),
    }),
    latestOnboarding: t.field({
      type: OnboardingRef,
      nullable: true,
      description: 'Its latest onboarding, with the self-test findings.',
      resolve: (a, _x, { database }) => latestOnboarding(database.db, a.institutionId),
    }),
    domainProof: t.field({
      type: ProofRef,
      description: 'The TXT record to publish at a domain before onboarding it.',
      args: { domain: t.arg.string({ required: true, description: 'The domain.' }) },
      resolve: (a, { domain }, { env }) => {
        const rt = env.line('antispam');
        const d = domain.trim().toLowerCase().replace(/\.$/, '').slice(0, 253);
        return domainProof(rt.config.ANTISPAM_TXT_LABEL, rt.secrets, a.institutionId, d);
      },
    }),
  }),
});

builder.objectField(InstitutionRef, 'antispam', (t) =>
  t.field({
    type: AntispamRef,
    nullable: true,
    description: 'Its antispam service: its technical contacts and staff; null for anyone else.',
    resolve: (inst, _a, { ctx }) =>
      isStaff(ctx.actor) || canFileFor(ctx.actor, inst.id) ? { institutionId: inst.id } : null,
  }),
);
