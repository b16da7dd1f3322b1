import { ConflictError, NotFoundError, ValidationError } from '@guichet/core';
import { builder, WRITE } from '@guichet/graphql';
import type { EffectiveSettings } from '../model.js';
import {
  addListEntry,
  institutionLists,
  institutionSettings,
  type ListEntryRow,
  removeListEntry,
  type SettingsRow,
  setSettings,
} from '../service/filtering.js';
import { AntispamRef } from './types.js';

/**
 * Rspamd settings and allow/deny lists: `InstitutionAntispam.settings` and `.lists`, and the
 * mutations a technical contact (own institution), the desk or the NOC uses. The service decides
 * who may (the matrix pins it); every change is in the change log and republished.
 */

const ERRORS = [ValidationError, NotFoundError, ConflictError];

const EffectiveRef = builder.objectRef<EffectiveSettings>('AntispamEffectiveSettings').implement({
  description: 'The thresholds that apply, once the layers (platform → institution → domain) are merged.',
  fields: (t) => ({
    addHeader: t.exposeFloat('addHeader', { description: 'Score from which the spam header is added.' }),
    rewriteSubject: t.exposeFloat('rewriteSubject', {
      description: 'Score from which the subject is tagged (only when tagSubject).',
    }),
    reject: t.exposeFloat('reject', { description: 'Score from which the gateway rejects the message.' }),
    tagSubject: t.exposeBoolean('tagSubject', {
      description: 'Whether the subject is tagged `[SPAM]` (opt-in: it breaks DKIM signatures over Subject).',
    }),
  }),
});

const LayerRef = builder.objectRef<SettingsRow>('AntispamSettingsLayer').implement({
  description: 'One stored layer of settings; a null value inherits from the layer above.',
  fields: (t) => ({
    scope: t.exposeString('scope', {
      description: '`global`, `institution:<id>` or `domain:<institution id>:<domain>`.',
    }),
    domain: t.exposeString('domain', { nullable: true, description: 'The domain of a domain layer.' }),
    addHeader: t.exposeFloat('addHeader', {
      nullable: true,
      description: 'Add-header threshold, or inherit.',
    }),
    rewriteSubject: t.exposeFloat('rewriteSubject', {
      nullable: true,
      description: 'Rewrite-subject threshold, or inherit.',
    }),
    reject: t.exposeFloat('reject', { nullable: true, description: 'Reject threshold, or inherit.' }),
    tagSubject: t.exposeBoolean('tagSubject', {
      nullable: true,
      description: 'Subject tagging, or inherit.',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

const DomainSettingsRef = builder
  .objectRef<{ row: SettingsRow; effective: EffectiveSettings }>('AntispamDomainSettings')
  .implement({
    description: 'A domain’s own layer and what applies to it.',
    fields: (t) => ({
      domain: t.string({ description: 'The domain.', resolve: (d) => d.row.domain ?? '' }),
      layer: t.field({ type: LayerRef, description: 'Its own layer.', resolve: (d) => d.row }),
      effective: t.field({ type: EffectiveRef, description: 'What applies.', resolve: (d) => d.effective }),
    }),
  });

const SettingsRef = builder
  .objectRef<Awaited<ReturnType<typeof institutionSettings>>>('AntispamSettings')
  .implement({
    description: 'An institution’s Rspamd settings: its layer, its domains’ layers, what applies.',
    fields: (t) => ({
      layer: t.field({
        type: LayerRef,
        nullable: true,
        description: 'Its own layer (null: the platform’s settings apply).',
        resolve: (s) => s.layer,
      }),
      effective: t.field({
        type: EffectiveRef,
        description: 'What applies to its domains without a layer of their own.',
        resolve: (s) => s.effective,
      }),
      domains: t.field({
        type: [DomainSettingsRef],
        description: 'Domains with a layer of their own.',
        resolve: (s) => s.domains,
      }),
    }),
  });

const ListEnum = builder.enumType('AntispamList', {
  description: 'Which list a sender is on.',
  values: {
    ALLOW: { value: 'allow', description: 'Always accepted (no filtering verdict applies).' },
    DENY: { value: 'deny', description: 'Always rejected.' },
  } as const,
});

const ListEntryRef = builder.objectRef<ListEntryRow>('AntispamListEntry').implement({
  description: 'A sender on one of the institution’s lists.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its identifier.' }),
    list: t.field({ type: ListEnum, description: 'Allow or deny.', resolve: (e) => e.list as never }),
    entry: t.exposeString('entry', { description: 'A sender address, or `@domain` for a whole domain.' }),
    reportId: t.exposeID('reportId', {
      nullable: true,
      description: 'The confirmed false-positive report that added it, if any.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was added.' }),
  }),
});

builder.objectFields(AntispamRef, (t) => ({
  settings: t.field({
    type: SettingsRef,
    description: 'Its Rspamd settings (thresholds, subject tagging), layered over the platform’s.',
    resolve: (a, _x, { database }) => institutionSettings(database.db, a.institutionId),
  }),
  lists: t.field({
    type: [ListEntryRef],
    description: 'Its allow and deny lists.',
    resolve: (a, _x, { database }) => institutionLists(database.db, a.institutionId),
  }),
}));

const SetSettingsInput = builder.inputType('SetAntispamSettingsInput', {
  description: 'One layer of Rspamd settings; an absent or null value inherits from the layer above.',
  fields: (f) => ({
    institutionId: f.id({
      required: false,
      description: 'The institution; absent: the platform’s layer (the NOC only).',
    }),
    domain: f.string({ required: false, description: 'One of its antispam domains: that domain’s layer.' }),
    addHeader: f.float({ required: false, description: 'Add-header threshold (0–1000).' }),
    rewriteSubject: f.float({ required: false, description: 'Rewrite-subject threshold (0–1000).' }),
    reject: f.float({ required: false, description: 'Reject threshold (0–1000), above addHeader.' }),
    tagSubject: f.boolean({ required: false, description: 'Tag the subject `[SPAM]` (opt-in).' }),
  }),
});

const AddEntryInput = builder.inputType('AddAntispamListEntryInput', {
  description: 'A sender to put on one of the institution’s lists.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    list: f.field({ type: ListEnum, description: 'Allow or deny.' }),
    entry: f.string({ description: 'A sender address, or `@domain`.' }),
  }),
});

builder.mutationFields((t) => ({
  setAntispamSettings: t.field({
    type: builder.simpleObject('SetAntispamSettingsPayload', {
      description: 'The stored layer and what now applies (published to the gateway within moments).',
      fields: (f) => ({
        layer: f.field({ type: LayerRef, description: 'The layer as stored.' }),
        effective: f.field({ type: EffectiveRef, description: 'What applies at that layer.' }),
      }),
    }),
    description:
      'Sets one layer of Rspamd settings (an institution’s, one of its domains’, or the platform’s), logged in the change log; the gateway’s Rspamd is republished (configtest, swap, reload). A technical contact of the institution, the desk or the NOC; the platform layer: the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { input: t.arg({ type: SetSettingsInput, description: 'The layer.' }) },
    resolve: (_r, { input }, { env, ctx }) =>
      setSettings(env, ctx, {
        institutionId: input.institutionId == null ? null : String(input.institutionId),
        domain: input.domain ?? null,
        addHeader: input.addHeader ?? null,
        rewriteSubject: input.rewriteSubject ?? null,
        reject: input.reject ?? null,
        tagSubject: input.tagSubject ?? null,
      }),
  }),
  addAntispamListEntry: t.field({
    type: builder.simpleObject('AddAntispamListEntryPayload', {
      description: 'The new entry (published to the gateway within moments).',
      fields: (f) => ({ entry: f.field({ type: ListEntryRef, description: 'The entry.' }) }),
    }),
    description:
      'Puts a sender on the institution’s allow or deny list (a sender is on one list at most), logged and republished. A technical contact of the institution, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { input: t.arg({ type: AddEntryInput, description: 'The entry.' }) },
    resolve: async (_r, { input }, { env, ctx }) => ({
      entry: await addListEntry(env, ctx, {
        institutionId: String(input.institutionId),
        list: input.list as 'allow' | 'deny',
        entry: input.entry,
      }),
    }),
  }),
  removeAntispamListEntry: t.field({
    type: builder.simpleObject('RemoveAntispamListEntryPayload', {
      description: 'The entry removed.',
      fields: (f) => ({ entry: f.field({ type: ListEntryRef, description: 'The entry as it was.' }) }),
    }),
    description:
      'Takes a sender off the institution’s list, logged and republished. A technical contact of the institution, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: t.arg.id({ description: 'The entry.' }) },
    resolve: async (_r, { id }, { env, ctx }) => ({ entry: await removeListEntry(env, ctx, String(id)) }),
  }),
}));
