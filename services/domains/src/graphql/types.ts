import { builder } from '@guichet/graphql';
import { ContactRef, getContact } from '@guichet/membership';
import { RequestRef } from '@guichet/workflow';
import { resourceState } from '../model.js';
import { domainRequests } from '../service/queries.js';
import type { DomainRow, PollMessageRow } from '../tables.js';

export const DomainStateEnum = builder.enumType('DomainState', {
  description: 'Where a domain name stands.',
  values: {
    REQUESTED: { value: 'requested', description: 'Asked for; going through its validations.' },
    PROVISIONING: { value: 'provisioning', description: 'Being registered (or published for .prd.fr).' },
    ACTIVE: { value: 'active', description: 'Registered and delegated.' },
    REDEMPTION: { value: 'redemption', description: 'Deleted, out of the zone, restorable for 30 days.' },
    DELETED: { value: 'deleted', description: 'Gone (or its request was abandoned).' },
  } as const,
});

export const DomainPricingEnum = builder.enumType('DomainPricing', {
  description: 'Why a name costs what it costs.',
  values: {
    TUTELLE: { value: 'tutelle', description: 'Included: institution under a supervising ministry.' },
    FIRST_FREE: {
      value: 'first-free',
      description: 'Free: the first name of an institution under contract.',
    },
    CONTRAT: { value: 'contrat', description: '75 €: institution under contract.' },
  } as const,
});

const HolderRef = builder.simpleObject('DomainHolder', {
  description: 'The legal entity that holds the name.',
  fields: (t) => ({
    name: t.string({ description: 'Its name.' }),
    legalStatus: t.string({ description: '`company`, `association` or `other` (public bodies).' }),
    siren: t.string({ nullable: true, description: 'SIREN or SIRET (French entities).' }),
    vat: t.string({ nullable: true, description: 'VAT number (entities of other EEA countries).' }),
    country: t.string({ description: 'Country of the registered office (ISO 3166).' }),
    city: t.string({ description: 'City.' }),
  }),
});

const NameServerRef = builder.simpleObject('DomainNameServer', {
  description: 'A name server of a domain.',
  fields: (t) => ({
    name: t.string({ description: 'Host name.' }),
    addresses: t.stringList({ description: 'Glue addresses (only for a name inside the domain).' }),
  }),
});

const DsRef = builder.simpleObject('DomainDsRecord', {
  description: 'A DS record of a domain (RFC 4034 §5).',
  fields: (t) => ({
    keyTag: t.int({ description: 'Key tag.' }),
    algorithm: t.int({ description: 'DNSSEC algorithm.' }),
    digestType: t.int({ description: '2 (SHA-256) or 4 (SHA-384).' }),
    digest: t.string({ description: 'Digest, upper-case hexadecimal.' }),
  }),
});

export const DomainRef = builder.objectRef<DomainRow>('Domain').implement({
  description: 'A domain name the operator opened for an institution (.fr at AFNIC, or under .prd.fr).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', {
      description: 'A-label form (what the DNS sees), e.g. `xn--cole-9oa.fr`.',
    }),
    uName: t.exposeString('uName', { description: 'U-label form (as people read it), e.g. `école.fr`.' }),
    zone: t.exposeString('zone', { description: '`fr` (AFNIC) or `prd.fr` (the operator’s own zone).' }),
    state: t.field({ type: DomainStateEnum, description: 'Its state.', resolve: (d) => d.state as never }),
    resourceState: t.string({
      description:
        'The common resource lifecycle state (`requested`, `provisioning`, `active`, `disabled`, `terminated`).',
      resolve: (d) => resourceState(d.state as never),
    }),
    holder: t.field({
      type: HolderRef,
      description: 'The holder.',
      resolve: (d) => ({ siren: null, vat: null, ...d.holder }),
    }),
    adminContact: t.field({
      type: ContactRef,
      nullable: true,
      description: 'The administrative contact.',
      resolve: async (d, _a, { database }) => (await getContact(database.db, d.adminContactId)) ?? null,
    }),
    techContacts: t.field({
      type: [ContactRef],
      description: 'The technical contacts (1–3).',
      resolve: async (d, _a, { database }) =>
        (await Promise.all(d.techContactIds.map((id) => getContact(database.db, id)))).filter(
          (c) => c !== undefined,
        ),
    }),
    nameservers: t.field({
      type: [NameServerRef],
      description: 'Its name servers.',
      resolve: (d) => d.nameservers,
    }),
    ds: t.field({ type: [DsRef], description: 'Its DS records.', resolve: (d) => d.ds }),
    periodYears: t.exposeInt('periodYears', { description: 'Registration period asked for, in years.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Expiry at the registry (none for .prd.fr).',
    }),
    redemptionUntil: t.expose('redemptionUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'End of the redemption period (deleted names).',
    }),
    priceCents: t.exposeInt('priceCents', { description: 'Price in euro cents: 0 or 7500.' }),
    pricing: t.field({
      type: DomainPricingEnum,
      description: 'Why that price.',
      resolve: (d) => d.pricing as never,
    }),
    requests: t.field({
      type: [RequestRef],
      description: 'The requests that made and changed it, newest first.',
      resolve: (d, _a, { database }) => domainRequests(database.db, d),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was requested.' }),
  }),
});

export const PollMessageRef = builder.objectRef<PollMessageRow>('DomainPollMessage').implement({
  description: 'A message of the registry’s poll queue, as stored before it was acked. Operator staff.',
  fields: (t) => ({
    registryId: t.exposeString('registryId', { description: 'The registry’s message id.' }),
    kind: t.exposeString('kind', {
      description: '`qualification`, `zonecheck`, `transfer`, `trade`, `deletion` or `other`.',
    }),
    domain: t.exposeString('domain', { nullable: true, description: 'The name it is about.' }),
    outcome: t.exposeString('outcome', { nullable: true, description: 'What it says happened.' }),
    text: t.exposeString('text', { description: 'The registry’s text.' }),
    action: t.exposeString('action', { description: 'What Guichet did about it.' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'When Guichet stored it.' }),
    ackedAt: t.expose('ackedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the registry dequeued it.',
    }),
  }),
});
