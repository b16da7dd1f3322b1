import { builder } from '@guichet/graphql';
import {
  AgreementVersionRef,
  ContactRef,
  getAgreementVersion,
  getContact,
  InstitutionRef,
} from '@guichet/membership';
import { getRequest, RequestRef } from '@guichet/workflow';
import { AVAILABILITIES, type LangText, LOCATION_KINDS } from '../model.js';
import { type Charter, charterOf } from '../service/activation.js';
import { probeHistory } from '../service/probes.js';
import { listRealms, type RealmRow, realmProof } from '../service/realms.js';
import { listServers, type ServerRow, secretsOf } from '../service/servers.js';
import { getProfile, listSites, type ProfileRow, type SiteRow } from '../service/sites.js';
import type { ContactJson } from '../tables.js';
import {
  AvailabilityEnum,
  EncryptionEnum,
  LocationKindEnum,
  ProbeStateEnum,
  RealmStateEnum,
  SiteTagEnum,
  TransportEnum,
} from './enums.js';

/** The eduroam GraphQL object types and `Institution.eduroam` (enums in enums.ts). */

export const TextRef = builder.objectRef<LangText>('EduroamText').implement({
  description: 'A text in one language (the eduroam database wants English in every list).',
  fields: (t) => ({
    lang: t.exposeString('lang', { description: 'Language code (`en`, `fr`…).' }),
    data: t.exposeString('data', { description: 'The text (or URL).' }),
  }),
});

export const PointRef = builder.objectRef<{ lon: number; lat: number }>('EduroamPoint').implement({
  description: 'A point: longitude first, as the eduroam database writes it.',
  fields: (t) => ({
    lon: t.exposeFloat('lon', { description: 'Longitude, degrees east.' }),
    lat: t.exposeFloat('lat', { description: 'Latitude, degrees north.' }),
  }),
});

export const SiteContactRef = builder.objectRef<ContactJson>('EduroamSiteContact').implement({
  description: 'A site’s contact, with its privacy flag (private contacts never appear in public views).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name.' }),
    email: t.exposeString('email', { description: 'Email address.' }),
    phone: t.exposeString('phone', { description: 'Phone number.' }),
    service: t.boolean({
      description: 'A service mailbox rather than a person.',
      resolve: (c) => c.kind === 'service',
    }),
    public: t.exposeBoolean('public', { description: 'Shown in public views.' }),
  }),
});

const ProofRef = builder.objectRef<{ name: string; value: string }>('EduroamRealmProof').implement({
  description: 'The DNS TXT record that proves the institution holds a realm.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Where to publish it (`_eduroam-guichet.<realm>`).' }),
    value: t.exposeString('value', { description: 'The TXT value (`guichet-eduroam=…`).' }),
  }),
});

export const RealmRef = builder.objectRef<RealmRow>('EduroamRealm').implement({
  description: 'A realm routed by the national proxy to the institution’s servers.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    realm: t.exposeString('realm', { description: 'The realm, lower case.' }),
    subrealms: t.exposeBoolean('subrealms', { description: 'Whether every name under it is routed too.' }),
    state: t.field({ type: RealmStateEnum, description: 'Its state.', resolve: (r) => r.state as never }),
    provedAt: t.expose('provedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its DNS proof was found.',
    }),
    proof: t.field({
      type: ProofRef,
      nullable: true,
      description: 'The TXT record found.',
      resolve: (r) => (r.proof ? { name: r.proof.name, value: r.proof.value } : null),
    }),
    request: t.field({
      type: RequestRef,
      nullable: true,
      description: 'The request that filed it.',
      resolve: (r, _a, { database, ctx }) =>
        r.requestId ? getRequest(database.db, ctx, r.requestId).catch(() => null) : null,
    }),
  }),
});

export const ProbeRef = builder
  .objectRef<Awaited<ReturnType<typeof probeHistory>>[number]>('EduroamProbe')
  .implement({
    description: 'One Status-Server probe of a server, from the national proxy’s address.',
    fields: (t) => ({
      at: t.expose('at', { type: 'DateTime', description: 'When.' }),
      ok: t.exposeBoolean('ok', { description: 'The server answered (an authentic reply).' }),
      rttMs: t.exposeFloat('rttMs', { nullable: true, description: 'Round-trip time, ms.' }),
      outcome: t.exposeString('outcome', {
        description: '`ok`, `timeout` (down or wrong secret) or `error`.',
      }),
      secret: t.exposeString('secret', {
        description: 'The secret that answered or was tried last: `current` or `next`.',
      }),
      detail: t.exposeString('detail', { nullable: true, description: 'What went wrong.' }),
    }),
  });

const RotationRef = builder
  .objectRef<{ startedAt: Date; validUntil: Date }>('EduroamSecretRotation')
  .implement({
    description: 'A secret rotation under way: both secrets are valid until it ends.',
    fields: (t) => ({
      startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the new secret was issued.' }),
      validUntil: t.expose('validUntil', {
        type: 'DateTime',
        description: 'When the old secret stops working (sooner if the server answers the new one first).',
      }),
    }),
  });

export const ServerRef = builder.objectRef<ServerRow>('EduroamServer').implement({
  description:
    'An institution’s RADIUS server: a home server and a client of the national proxy. Its secret is never shown again.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Its host name.' }),
    address: t.field({ type: 'IPAddress', description: 'Its address.', resolve: (s) => s.address }),
    port: t.exposeInt('port', { description: 'Its authentication port.' }),
    transport: t.field({
      type: TransportEnum,
      description: 'UDP or RadSec.',
      resolve: (s) => s.transport as never,
    }),
    removed: t.boolean({ description: 'Removed from the proxy.', resolve: (s) => s.state === 'removed' }),
    probeState: t.field({
      type: ProbeStateEnum,
      description: 'What the probes say.',
      resolve: (s) => s.probeState as never,
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Probes unanswered in a row.' }),
    lastProbeAt: t.expose('lastProbeAt', { type: 'DateTime', nullable: true, description: 'Last probe.' }),
    lastOkAt: t.expose('lastOkAt', { type: 'DateTime', nullable: true, description: 'Last answered probe.' }),
    firstOkAt: t.expose('firstOkAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First answered probe (the server is in service).',
    }),
    lastRttMs: t.exposeFloat('lastRttMs', {
      nullable: true,
      description: 'Round-trip time of the last answered probe, ms.',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last probe failed (a timeout reads "down or wrong secret").',
    }),
    rotation: t.field({
      type: RotationRef,
      nullable: true,
      description: 'The secret rotation under way, if any.',
      resolve: async (s, _a, { database }) => {
        const next = (await secretsOf(database.db, s.id)).find((x) => x.status === 'next');
        return next?.validUntil ? { startedAt: next.createdAt, validUntil: next.validUntil } : null;
      },
    }),
    secretIssuedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the secret in use was issued (its value is never shown again).',
      resolve: async (s, _a, { database }) =>
        (await secretsOf(database.db, s.id)).find((x) => x.status === 'current')?.createdAt ?? null,
    }),
    probes: t.field({
      type: [ProbeRef],
      description: 'Probe history, newest first.',
      args: {
        last: t.arg.int({ required: false, defaultValue: 50, description: 'How many (at most 500).' }),
      },
      resolve: (s, { last }, { database }) =>
        probeHistory(database.db, s.id, Math.min(Math.max(last ?? 50, 1), 500)),
    }),
    outage: t.field({
      type: RequestRef,
      nullable: true,
      description: 'The open `eduroam.serverDown` request of the current outage.',
      resolve: (s, _a, { database, ctx }) =>
        s.downRequestId ? getRequest(database.db, ctx, s.downRequestId).catch(() => null) : null,
    }),
  }),
});

export const SiteRef = builder.objectRef<SiteRow>('EduroamSite').implement({
  description: 'A place where the institution broadcasts eduroam (an eduroam database `location`).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    locationId: t.string({
      description: 'Its eduroam database `locationid`: stable for its life.',
      resolve: (s) => s.id.replace(/-/g, ''),
    }),
    names: t.field({ type: [TextRef], description: 'Its name, per language.', resolve: (s) => s.names }),
    street: t.field({
      type: [TextRef],
      description: 'Street address, per language.',
      resolve: (s) => s.street,
    }),
    city: t.field({ type: [TextRef], description: 'City, per language.', resolve: (s) => s.city }),
    coordinates: t.field({
      type: PointRef,
      description: 'Where it is.',
      resolve: (s) => ({ lon: s.lon, lat: s.lat }),
    }),
    ssid: t.exposeString('ssid', { description: 'Always `eduroam`.' }),
    encryption: t.field({
      type: [EncryptionEnum],
      description: 'Encryption levels.',
      resolve: (s) => s.encryption as never,
    }),
    tags: t.field({ type: [SiteTagEnum], description: 'Tags.', resolve: (s) => s.tags as never }),
    accessPoints: t.exposeInt('accessPoints', { description: 'Number of access points.' }),
    wiredPorts: t.exposeInt('wiredPorts', { description: 'Number of 802.1X wired ports.' }),
    kind: t.field({
      type: LocationKindEnum,
      description: 'Spot, area or mobile.',
      resolve: (s) => LOCATION_KINDS[s.kind] as never,
    }),
    venue: t.exposeString('venue', { nullable: true, description: 'IEEE 802.11u venue `group,type`.' }),
    availability: t.field({
      type: AvailabilityEnum,
      description: 'Who can reach it.',
      resolve: (s) => AVAILABILITIES[s.availability] as never,
    }),
    operationHours: t.exposeString('operationHours', { nullable: true, description: 'Opening hours.' }),
    operatorName: t.exposeString('operatorName', { nullable: true, description: 'Operator-Name it sends.' }),
    infoUrls: t.field({
      type: [TextRef],
      description: 'Information pages, per language.',
      resolve: (s) => s.infoUrls,
    }),
    contact: t.field({
      type: SiteContactRef,
      nullable: true,
      description: 'Its contact.',
      resolve: (s) => s.contact,
    }),
    production: t.exposeBoolean('production', {
      description: 'In service (stage 1) or a test site (stage 0).',
    }),
    removed: t.boolean({ description: 'Removed.', resolve: (s) => s.state === 'removed' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

export const ProfileRef = builder.objectRef<ProfileRow>('EduroamProfile').implement({
  description: 'What the institution says about itself in the eduroam database.',
  fields: (t) => ({
    names: t.field({
      type: [TextRef],
      nullable: true,
      description: 'Its names (default: the institution’s name).',
      resolve: (p) => p.names,
    }),
    infoUrls: t.field({ type: [TextRef], description: 'Information pages.', resolve: (p) => p.infoUrls }),
    policyUrls: t.field({
      type: [TextRef],
      description: 'Acceptable-use and privacy pages.',
      resolve: (p) => p.policyUrls,
    }),
    venue: t.exposeString('venue', { nullable: true, description: 'IEEE 802.11u venue `group,type`.' }),
    coordinates: t.field({
      type: PointRef,
      nullable: true,
      description: 'Where it is.',
      resolve: (p) => (p.lon != null && p.lat != null ? { lon: p.lon, lat: p.lat } : null),
    }),
    contactPublic: t.exposeBoolean('contactPublic', {
      description: 'Whether its eduroam contact appears in public views.',
    }),
    production: t.exposeBoolean('production', { description: 'In service (stage 1) or in test (stage 0).' }),
  }),
});

export const CharterRef = builder.objectRef<Charter>('EduroamCharter').implement({
  description: 'The eduroam charter in force: part of the agreement the head of institution signed.',
  fields: (t) => ({
    policy: t.exposeString('policy', {
      description: 'The eduroam policy (Service Definition) version signed.',
    }),
    documentHash: t.exposeString('documentHash', {
      description: 'SHA-256 of the signed agreement document.',
    }),
    signedByName: t.exposeString('signedByName', { description: 'Who signed it.' }),
    signedAt: t.expose('signedAt', { type: 'DateTime', description: 'When.' }),
    activatedAt: t.expose('activatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the desk put it in force.',
    }),
    agreementVersion: t.field({
      type: AgreementVersionRef,
      nullable: true,
      description: 'The agreement version it belongs to.',
      resolve: (c, _a, { database }) => getAgreementVersion(database.db, c.agreementVersionId),
    }),
    eduroamContact: t.field({
      type: ContactRef,
      nullable: true,
      description: 'The eduroam contact it names.',
      resolve: (c, _a, { database }) =>
        c.eduroamContactId ? getContact(database.db, c.eduroamContactId) : null,
    }),
  }),
});

interface EduroamOf {
  institutionId: string;
}

export const EduroamRef = builder.objectRef<EduroamOf>('InstitutionEduroam').implement({
  description: 'An institution’s eduroam service: its charter, realms, RADIUS servers and sites.',
  fields: (t) => ({
    active: t.boolean({
      description: 'Whether its agreement in force opens eduroam.',
      resolve: async (e, _a, { database }) => (await charterOf(database.db, e.institutionId)) !== null,
    }),
    charter: t.field({
      type: CharterRef,
      nullable: true,
      description: 'The eduroam charter in force.',
      resolve: (e, _a, { database }) => charterOf(database.db, e.institutionId),
    }),
    realms: t.field({
      type: [RealmRef],
      description: 'Its realms (removed ones left out).',
      resolve: (e, _a, { database }) => listRealms(database.db, e.institutionId),
    }),
    servers: t.field({
      type: [ServerRef],
      description: 'Its RADIUS servers (removed ones left out).',
      resolve: (e, _a, { database }) => listServers(database.db, e.institutionId),
    }),
    sites: t.field({
      type: [SiteRef],
      description: 'Its sites (removed ones left out).',
      resolve: (e, _a, { database }) => listSites(database.db, e.institutionId),
    }),
    profile: t.field({
      type: ProfileRef,
      nullable: true,
      description: 'Its eduroam database profile, once set.',
      resolve: (e, _a, { database }) => getProfile(database.db, e.institutionId),
    }),
    realmProof: t.field({
      type: ProofRef,
      description: 'The TXT record to publish before asking for a realm (`requestEduroamRealm`).',
      args: { realm: t.arg.string({ required: true, description: 'The realm.' }) },
      resolve: (e, { realm }, { env }) =>
        realmProof(env.line('eduroam'), e.institutionId, realm.trim().toLowerCase().replace(/\.$/, '')),
    }),
  }),
});

builder.objectField(InstitutionRef, 'eduroam', (t) =>
  t.field({
    type: EduroamRef,
    description: 'Its eduroam service (whoever may read the institution).',
    resolve: (inst) => ({ institutionId: inst.id }),
  }),
);
