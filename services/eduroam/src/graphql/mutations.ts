import { builder, NOC_WRITE, WRITE } from '@guichet/graphql';
import { AGREEMENT_CHANGE, opt, requestMutation, submitField } from '@guichet/workflow';
import { activationPayload } from '../service/activation.js';
import { updateProfile } from '../service/profile.js';
import { publishProxy } from '../service/proxy.js';
import { removeRealm } from '../service/realms.js';
import { REALM_REQUEST } from '../workflow.js';
import { ERRORS, idArg } from './mutation-kit.js';
import { PointInput, TextInput } from './site-fields.js';
import { ProfileRef, RealmRef } from './types.js';

/**
 * eduroam mutations. Activation and realms are requests (the engine says who may file);
 * servers (server-mutations.ts), sites (site-mutations.ts, site-bulk.ts) and the profile are
 * declarations (the service checks the caller: a technical contact of the institution or the
 * desk; rotation and removal also the NOC).
 */

// --- requests ---------------------------------------------------------------------------------

const ActivationInput = builder.inputType('RequestEduroamActivationInput', {
  description:
    'Opens eduroam in the agreement: the eduroam contact and the eduroam charter, signed by the head.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    eduroamContactId: f.id({
      description: 'Its eduroam contact (a contact holding the eduroam role, with a phone number).',
    }),
    submit: submitField(f),
  }),
});

requestMutation<{
  institutionId: string | number;
  eduroamContactId: string | number;
  submit?: boolean | null;
}>('requestEduroamActivation', {
  kind: AGREEMENT_CHANGE,
  description:
    'Asks to open eduroam: an agreement change (`membership.agreementChange`) whose new version names the eduroam contact and the eduroam charter’s policy version; the head of institution signs it, the desk validates it. A technical contact of the institution, or the desk.',
  input: ActivationInput,
  inputDescription: 'The activation.',
  payload: (input, context) =>
    activationPayload(context.env, context.ctx, {
      institutionId: String(input.institutionId),
      eduroamContactId: String(input.eduroamContactId),
    }),
});

const RealmInput = builder.inputType('RequestEduroamRealmInput', {
  description: 'A realm to connect to the national proxy.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    realm: f.string({ description: 'The realm: a domain the institution holds (stored lower case).' }),
    subrealms: f.boolean({ required: false, description: 'Route every name under it too (default true).' }),
    submit: submitField(f),
  }),
});

requestMutation<{
  institutionId: string | number;
  realm: string;
  subrealms?: boolean | null;
  submit?: boolean | null;
}>('requestEduroamRealm', {
  kind: REALM_REQUEST,
  description:
    'Asks for a realm (request kind `eduroam.realm`): reserved at once (no overlap, no look-alike), proved by its DNS TXT record (`Institution.eduroam.realmProof`), then routed by the national proxy. A technical contact of the institution, or the desk.',
  input: RealmInput,
  inputDescription: 'The realm.',
  payload: (input) => ({
    realm: input.realm,
    ...(input.subrealms == null ? {} : { subrealms: input.subrealms }),
  }),
});

// --- declarations -----------------------------------------------------------------------------

const ProfileInput = builder.inputType('UpdateEduroamProfileInput', {
  description: 'What the institution says about itself in the eduroam database; absent fields stay.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    names: f.field({ type: [TextInput], required: false, description: 'Its names (English required).' }),
    infoUrls: f.field({
      type: [TextInput],
      required: false,
      description: 'Information pages (English required if any).',
    }),
    policyUrls: f.field({
      type: [TextInput],
      required: false,
      description: 'Acceptable-use and privacy pages (English required if any).',
    }),
    venue: f.string({ required: false, description: 'IEEE 802.11u venue `group,type`.' }),
    coordinates: f.field({ type: PointInput, required: false, description: 'Where it is.' }),
    contactPublic: f.boolean({ required: false, description: 'Show its eduroam contact in public views.' }),
    production: f.boolean({ required: false, description: 'In service (stage 1) or in test.' }),
  }),
});

const RealmPayload = builder.simpleObject('EduroamRealmPayload', {
  description: 'The realm after the action.',
  fields: (t) => ({ realm: t.field({ type: RealmRef, description: 'The realm.' }) }),
});
const ProfilePayload = builder.simpleObject('UpdateEduroamProfilePayload', {
  description: 'The profile after the update.',
  fields: (t) => ({ profile: t.field({ type: ProfileRef, description: 'The profile.' }) }),
});
const PublishPayload = builder.simpleObject('PublishEduroamProxyPayload', {
  description: 'What the publication did.',
  fields: (t) => ({
    status: t.string({
      description: '`deployed`, `unchanged`, `refused`, `rolled_back`, `failed` or `not-configured`.',
    }),
    hash: t.string({
      nullable: true,
      description: 'Hash of the configuration the database describes (null when no proxy is configured).',
    }),
    errors: t.stringList({ description: 'What freeradius -XC (or the restart check) said.' }),
  }),
});

builder.mutationFields((t) => ({
  removeEduroamRealm: t.field({
    type: RealmPayload,
    description:
      'Takes a realm out of the national proxy and frees its namespace. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The realm.') as never },
    resolve: async (_r, { id }, { env, ctx }) => {
      const realm = await env.database.db.transaction(async (tx) => {
        const r = await removeRealm(tx, ctx, String(id));
        if (env.jobs) await env.jobs.sendInTx(tx, 'eduroam.publish-proxy', {}, { requestId: ctx.requestId });
        return r;
      });
      return { realm };
    },
  }),
  updateEduroamProfile: t.field({
    type: ProfilePayload,
    description:
      'Sets what the institution says about itself in the eduroam database. A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { input: t.arg({ type: ProfileInput, required: true, description: 'The profile.' }) },
    resolve: async (_r, { input }, { env, ctx }) => ({
      profile: await updateProfile(env.database.db, env.line('eduroam'), ctx, {
        institutionId: String(input.institutionId),
        names: opt(input.names),
        infoUrls: opt(input.infoUrls),
        policyUrls: opt(input.policyUrls),
        venue: opt(input.venue),
        coordinates: opt(input.coordinates),
        contactPublic: opt(input.contactPublic),
        production: opt(input.production),
      }),
    }),
  }),
  publishEduroamProxy: t.field({
    type: PublishPayload,
    description:
      'Publishes the national proxy’s configuration now (it is also published after every change and every minute). NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    resolve: async (_r, _a, { env, ctx }) => {
      const out = await publishProxy(env.database.db, env.line('eduroam'), ctx);
      return {
        status: out.status,
        hash: out.hash,
        errors: 'publication' in out ? out.publication.errors : [],
      };
    },
  }),
}));
