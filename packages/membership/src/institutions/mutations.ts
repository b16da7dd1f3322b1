import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder, DESK_WRITE } from '@guichet/graphql';
import {
  AgreementVersionRef,
  InstitutionKindEnum,
  InstitutionRef,
  ServiceEnum,
  SiteRef,
} from '../graphql/refs.js';
import { addSite, removeSite } from '../sites/service.js';
import { closeInstitution, createInstitution, updateInstitution } from './service.js';

/** Institutions and sites are the agreement desk's: never self-service. */

const SiteInput = builder.inputType('SiteInput', {
  description: 'A site.',
  fields: (f) => ({
    name: f.string({ description: 'Name, unique within the institution.' }),
    address: f.string({ description: 'Postal address.' }),
    city: f.string({ description: 'City.' }),
  }),
});

const AgreementTermsInput = builder.inputType('AgreementTermsInput', {
  description: 'The terms of the first agreement version (a draft until the head of institution signs it).',
  fields: (f) => ({
    conventionRef: f.string({ description: 'Reference of the convention (conditions of access) text.' }),
    charterRef: f.string({ description: 'Reference of the good-use charter text.' }),
    bandwidthMbps: f.int({ description: 'Committed bandwidth in Mbit/s (positive).' }),
    services: f.field({ type: [ServiceEnum], required: false, description: 'Services it opens.' }),
  }),
});

const CreateInstitutionInput = builder.inputType('CreateInstitutionInput', {
  description: 'A new member institution.',
  fields: (f) => ({
    name: f.string({ description: 'Full name.' }),
    shortName: f.string({ description: 'Short name, unique (case-insensitive).' }),
    kind: f.field({
      type: InstitutionKindEnum,
      description: 'Under a supervising ministry or under contract.',
    }),
    siren: f.string({ description: 'SIREN: 9 digits with a valid check digit (spaces allowed).' }),
    siret: f.string({
      required: false,
      description: 'SIRET of the main establishment: 14 digits, starting with the SIREN.',
    }),
    collector: f.string({ description: 'The regional collector that carries it.' }),
    mainSite: f.field({ type: SiteInput, description: 'The main site.' }),
    secondarySites: f.field({
      type: [SiteInput],
      required: false,
      description: 'Secondary sites, listed in the first agreement version.',
    }),
    agreement: f.field({ type: AgreementTermsInput, description: 'The first agreement version.' }),
  }),
});

const CreateInstitutionPayload = builder.simpleObject('CreateInstitutionPayload', {
  description: 'The new institution and the draft of its first agreement version.',
  fields: (t) => ({
    institution: t.field({ type: InstitutionRef, description: 'The institution.' }),
    agreementVersion: t.field({
      type: AgreementVersionRef,
      description: 'Version 1 of its agreement, a draft.',
    }),
  }),
});

builder.mutationField('createInstitution', (t) =>
  t.field({
    type: CreateInstitutionPayload,
    description:
      'Registers a member institution with its sites and the draft of its first agreement (agreement desk).',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateInstitutionInput, required: true, description: 'The institution.' }) },
    resolve: async (_r, { input }, { database, ctx }) => {
      const created = await createInstitution(database.db, ctx, {
        ...input,
        secondarySites: input.secondarySites ?? [],
        agreement: { ...input.agreement, services: input.agreement.services ?? [] },
      });
      return { institution: created.institution, agreementVersion: created.agreementVersion };
    },
  }),
);

const InstitutionPayload = (name: string, what: string) =>
  builder.simpleObject(name, {
    description: what,
    fields: (t) => ({ institution: t.field({ type: InstitutionRef, description: 'The institution.' }) }),
  });

builder.mutationField('updateInstitution', (t) =>
  t.field({
    type: InstitutionPayload('UpdateInstitutionPayload', 'The institution as changed.'),
    description: 'Changes the name, short name or regional collector of an institution (agreement desk).',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, ConflictError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'What changes.',
        type: builder.inputType('UpdateInstitutionInput', {
          description: 'Changes to an institution; absent fields stay as they are.',
          fields: (f) => ({
            id: f.id({ description: 'The institution.' }),
            name: f.string({ required: false, description: 'New full name.' }),
            shortName: f.string({ required: false, description: 'New short name.' }),
            collector: f.string({ required: false, description: 'New regional collector.' }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input: { id, ...rest } }, { database, ctx }) => ({
      institution: await updateInstitution(database.db, ctx, String(id), {
        name: rest.name ?? undefined,
        shortName: rest.shortName ?? undefined,
        collector: rest.collector ?? undefined,
      }),
    }),
  }),
);

builder.mutationField('closeInstitution', (t) =>
  t.field({
    type: InstitutionPayload('CloseInstitutionPayload', 'The institution, closed.'),
    description:
      'Ends a membership: pending agreement versions are withdrawn, contacts can no longer log in, no service stays open (agreement desk). Closing twice changes nothing.',
    authScopes: DESK_WRITE,
    errors: { types: [NotFoundError] },
    args: { id: t.arg.id({ required: true, description: 'The institution.' }) },
    resolve: async (_r, { id }, { database, ctx }) => ({
      institution: await closeInstitution(database.db, ctx, String(id)),
    }),
  }),
);

const SitePayload = (name: string, what: string) =>
  builder.simpleObject(name, {
    description: what,
    fields: (t) => ({ site: t.field({ type: SiteRef, description: 'The site.' }) }),
  });

builder.mutationField('addSite', (t) =>
  t.field({
    type: SitePayload('AddSitePayload', 'The new site.'),
    description:
      'Adds a secondary site to an institution (agreement desk). The agreement covers it once a new version listing it is signed.',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, ConflictError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'The site.',
        type: builder.inputType('AddSiteInput', {
          description: 'A secondary site of an institution.',
          fields: (f) => ({
            institutionId: f.id({ description: 'The institution.' }),
            name: f.string({ description: 'Name, unique within the institution.' }),
            address: f.string({ description: 'Postal address.' }),
            city: f.string({ description: 'City.' }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      site: await addSite(database.db, ctx, { ...input, institutionId: String(input.institutionId) }),
    }),
  }),
);

builder.mutationField('removeSite', (t) =>
  t.field({
    type: SitePayload('RemoveSitePayload', 'The site, removed.'),
    description:
      'Removes a secondary site (agreement desk). Refused for the main site and for a site the active agreement lists.',
    authScopes: DESK_WRITE,
    errors: { types: [NotFoundError, PolicyRefusalError] },
    args: { id: t.arg.id({ required: true, description: 'The site.' }) },
    resolve: async (_r, { id }, { database, ctx }) => ({
      site: await removeSite(database.db, ctx, String(id)),
    }),
  }),
);
