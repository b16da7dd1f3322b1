import {
  ConflictError,
  NotFoundError,
  PolicyRefusalError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { builder, NOC_WRITE, WRITE } from '@guichet/graphql';
import { AGREEMENT_CHANGE, opt, optId, requestMutation, submitField } from '@guichet/workflow';
import { activationPayload } from '../service/activation.js';
import { updateProfile } from '../service/profile.js';
import { publishProxy } from '../service/proxy.js';
import { removeRealm } from '../service/realms.js';
import {
  confirmRotation,
  declareServer,
  removeServer,
  requestProbe,
  rotateSecret,
} from '../service/servers.js';
import { declareSite, removeSite, updateSite } from '../service/sites.js';
import { REALM_REQUEST } from '../workflow.js';
import {
  AvailabilityEnum,
  EncryptionEnum,
  LocationKindEnum,
  ProfileRef,
  RealmRef,
  ServerRef,
  SiteRef,
  SiteTagEnum,
  TransportEnum,
} from './types.js';

/**
 * eduroam mutations. Activation and realms are requests (the engine says who may file);
 * servers, sites and the profile are declarations (the service checks the caller: a technical
 * contact of the institution or the desk; rotation and removal also the NOC). A server's secret
 * is in the result of the call that made it, and nowhere else, ever.
 */

const ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError, UnavailableError];

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

const TextInput = builder.inputType('EduroamTextInput', {
  description: 'A text in one language.',
  fields: (f) => ({
    lang: f.string({ description: 'Language code (`en`, `fr`…).' }),
    data: f.string({ description: 'The text (or URL).' }),
  }),
});

const PointInput = builder.inputType('EduroamPointInput', {
  description: 'A point, longitude first.',
  fields: (f) => ({
    lon: f.float({ description: 'Longitude, degrees east.' }),
    lat: f.float({ description: 'Latitude, degrees north.' }),
  }),
});

const ContactInput = builder.inputType('EduroamSiteContactInput', {
  description: 'A site’s contact (the eduroam database wants all of it).',
  fields: (f) => ({
    name: f.string({ description: 'Name.' }),
    email: f.string({ description: 'Email address.' }),
    phone: f.string({ description: 'Phone number.' }),
    service: f.boolean({
      required: false,
      description: 'A service mailbox rather than a person (default false).',
    }),
    public: f.boolean({ required: false, description: 'Shown in public views (default false: private).' }),
  }),
});

export const SiteFields = builder.inputType('EduroamSiteInput', {
  description: 'An eduroam site as the eduroam database describes it.',
  fields: (f) => ({
    name: f.field({ type: [TextInput], description: 'Its name, per language (English required).' }),
    street: f.field({ type: [TextInput], description: 'Street address, per language (English required).' }),
    city: f.field({ type: [TextInput], description: 'City, per language (English required).' }),
    coordinates: f.field({ type: PointInput, description: 'Where it is (inside the country).' }),
    ssid: f.string({ required: false, description: 'The SSID: `eduroam` (default), nothing else.' }),
    encryption: f.field({
      type: [EncryptionEnum],
      description: 'WPA2/AES and/or WPA3/AES (TKIP is refused).',
    }),
    tags: f.field({ type: [SiteTagEnum], required: false, description: 'Tags.' }),
    accessPoints: f.int({ description: 'Number of access points (≥ 1).' }),
    wiredPorts: f.int({ required: false, description: 'Number of 802.1X wired ports (default 0).' }),
    kind: f.field({
      type: LocationKindEnum,
      required: false,
      description: 'Spot (default), area or mobile.',
    }),
    venue: f.string({ required: false, description: 'IEEE 802.11u venue `group,type` (`3,3`: university).' }),
    availability: f.field({
      type: AvailabilityEnum,
      required: false,
      description: 'Who can reach it (default: no restriction).',
    }),
    operationHours: f.string({ required: false, description: 'Opening hours.' }),
    operatorName: f.string({ required: false, description: 'The Operator-Name it sends.' }),
    infoUrls: f.field({
      type: [TextInput],
      required: false,
      description: 'Information pages, per language (English required if any).',
    }),
    contact: f.field({ type: ContactInput, required: false, description: 'Its contact.' }),
    membershipSiteId: f.id({ required: false, description: 'The membership site it covers.' }),
    production: f.boolean({ required: false, description: 'In service (default) or a test site.' }),
  }),
});

export interface SiteShape {
  name: { lang: string; data: string }[];
  street: { lang: string; data: string }[];
  city: { lang: string; data: string }[];
  coordinates: { lon: number; lat: number };
  ssid?: string | null;
  encryption: string[];
  tags?: string[] | null;
  accessPoints: number;
  wiredPorts?: number | null;
  kind?: string | null;
  venue?: string | null;
  availability?: string | null;
  operationHours?: string | null;
  operatorName?: string | null;
  infoUrls?: { lang: string; data: string }[] | null;
  contact?: {
    name: string;
    email: string;
    phone: string;
    service?: boolean | null;
    public?: boolean | null;
  } | null;
  membershipSiteId?: string | number | null;
  production?: boolean | null;
}

export function siteValue(s: SiteShape) {
  return {
    name: s.name,
    street: s.street,
    city: s.city,
    coordinates: s.coordinates,
    ssid: opt(s.ssid),
    encryption: s.encryption,
    tags: opt(s.tags),
    accessPoints: s.accessPoints,
    wiredPorts: opt(s.wiredPorts),
    kind: opt(s.kind),
    venue: opt(s.venue),
    availability: opt(s.availability),
    operationHours: opt(s.operationHours),
    operatorName: opt(s.operatorName),
    infoUrls: opt(s.infoUrls),
    contact: s.contact
      ? {
          name: s.contact.name,
          email: s.contact.email,
          phone: s.contact.phone,
          kind: s.contact.service ? 'service' : 'person',
          public: s.contact.public ?? false,
        }
      : undefined,
    membershipSiteId: optId(s.membershipSiteId),
    production: opt(s.production),
  };
}

const DeclareServerInput = builder.inputType('DeclareEduroamServerInput', {
  description: 'A RADIUS server of the institution, to connect to the national proxy.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    name: f.string({ description: 'Its host name.' }),
    address: f.field({
      type: 'IPAddress',
      description: 'Its static public address (the proxy knows its clients by address).',
    }),
    port: f.int({ required: false, description: 'Its authentication port (default 1812).' }),
    transport: f.field({ type: TransportEnum, required: false, description: 'UDP (default).' }),
  }),
});

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

const secretPayload = (name: string, description: string) =>
  builder.simpleObject(name, {
    description,
    fields: (t) => ({
      server: t.field({ type: ServerRef, description: 'The server.' }),
      secret: t.string({
        description:
          'The shared secret (48 random letters and digits). Shown this once: Guichet never returns it again. Configure it on the server for the national proxy, as client and home server.',
      }),
    }),
  });

const DeclareServerPayload = secretPayload(
  'DeclareEduroamServerPayload',
  'The declared server and its secret (shown once).',
);
const RotatePayload = builder.simpleObject('RotateEduroamServerSecretPayload', {
  description: 'The new secret (shown once) and when the old one stops working.',
  fields: (t) => ({
    server: t.field({ type: ServerRef, description: 'The server.' }),
    secret: t.string({ description: 'The new shared secret. Shown this once.' }),
    validUntil: t.field({
      type: 'DateTime',
      description: 'Until then both secrets work; the proxy switches when the server answers the new one.',
    }),
  }),
});
const ServerPayload = builder.simpleObject('EduroamServerPayload', {
  description: 'The server after the action.',
  fields: (t) => ({ server: t.field({ type: ServerRef, description: 'The server.' }) }),
});
const SitePayload = builder.simpleObject('EduroamSitePayload', {
  description: 'The site after the action.',
  fields: (t) => ({ site: t.field({ type: SiteRef, description: 'The site.' }) }),
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

const idArg = (t: { arg: { id: (o: { required: true; description: string }) => unknown } }, what: string) =>
  t.arg.id({ required: true, description: what });

builder.mutationFields((t) => ({
  declareEduroamServer: t.field({
    type: DeclareServerPayload,
    description:
      'Declares a RADIUS server: Guichet generates its shared secret (returned here, once), adds it to the national proxy (clients.conf and home servers, checked by freeradius -XC) and starts probing it. A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { input: t.arg({ type: DeclareServerInput, required: true, description: 'The server.' }) },
    resolve: (_r, { input }, { env, ctx }) =>
      declareServer(env, ctx, {
        institutionId: String(input.institutionId),
        name: input.name,
        address: input.address,
        port: opt(input.port),
        transport: opt(input.transport),
      }),
  }),
  rotateEduroamServerSecret: t.field({
    type: RotatePayload,
    description:
      'Issues a new secret for a server (returned here, once); both work until the overlap ends (EDUROAM_SECRET_OVERLAP_HOURS). The proxy switches as soon as the server answers a probe with the new one. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: (_r, { id }, { env, ctx }) => rotateSecret(env, ctx, String(id)),
  }),
  confirmEduroamSecretRotation: t.field({
    type: ServerPayload,
    description:
      'Ends a rotation now: the server uses the new secret (the old one stops working). The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await confirmRotation(env, ctx, String(id)) }),
  }),
  removeEduroamServer: t.field({
    type: ServerPayload,
    description:
      'Takes a server out of the national proxy; its secrets are retired for good. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await removeServer(env, ctx, String(id)) }),
  }),
  probeEduroamServer: t.field({
    type: ServerPayload,
    description:
      'Queues a Status-Server probe of a server now (it runs within seconds; see `EduroamServer.probes`), without waiting for the next round. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await requestProbe(env, ctx, String(id)) }),
  }),
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
  declareEduroamSite: t.field({
    type: SitePayload,
    description:
      'Declares a site where the institution broadcasts eduroam (SSID eduroam, WPA2/AES or WPA3/AES, ≥ 1 access point, inside the country). A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: {
      institutionId: t.arg.id({ required: true, description: 'The institution.' }),
      input: t.arg({ type: SiteFields, required: true, description: 'The site.' }),
    },
    resolve: async (_r, { institutionId, input }, { env, ctx }) => ({
      site: await declareSite(env.database.db, env.line('eduroam'), ctx, {
        institutionId: String(institutionId),
        ...siteValue(input as SiteShape),
      }),
    }),
  }),
  updateEduroamSite: t.field({
    type: SitePayload,
    description:
      'Replaces a site’s description (every field again); its location id stays. A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: {
      id: t.arg.id({ required: true, description: 'The site.' }),
      input: t.arg({ type: SiteFields, required: true, description: 'The site, as it is now.' }),
    },
    resolve: async (_r, { id, input }, { env, ctx }) => ({
      site: await updateSite(
        env.database.db,
        env.line('eduroam'),
        ctx,
        String(id),
        siteValue(input as SiteShape),
      ),
    }),
  }),
  removeEduroamSite: t.field({
    type: SitePayload,
    description:
      'Removes a site (it leaves the eduroam database export). A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The site.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({
      site: await removeSite(env.database.db, ctx, String(id)),
    }),
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
