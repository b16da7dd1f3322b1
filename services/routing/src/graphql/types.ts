import { builder, STAFF_READ } from '@guichet/graphql';
import { isStaff } from '@guichet/membership';
import { RequestRef } from '@guichet/workflow';
import type { CollectorRow, SessionRow } from '../service/collectors.js';
import { type ConfigRow, latestConfig } from '../service/configs.js';
import {
  type AnnouncementRow,
  announcementsOf,
  getCollector,
  getSession,
  type RoutingRow,
  routingRequestsOf,
  sessionLoad,
  sessionsOf,
} from '../service/queries.js';
import { ROUTING_CHANGE } from '../workflow.js';

const host = (inet: string) => inet.replace(/\/(32|128)$/, '');

export const SessionRef = builder.objectRef<SessionRow>('RoutingSession').implement({
  description: 'A BGP session of a collector on which institutions’ prefixes are learned. Operator staff.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', {
      description: 'Its name in the BIRD configuration (protocol, filter, sets).',
    }),
    peerAddress: t.field({
      type: 'IPAddress',
      description: 'The peer’s address.',
      resolve: (s) => host(s.peerAddress),
    }),
    localAddress: t.field({
      type: 'IPAddress',
      nullable: true,
      description: 'The collector’s address on the session, if set.',
      resolve: (s) => (s.localAddress ? host(s.localAddress) : null),
    }),
    localPort: t.exposeInt('localPort', {
      nullable: true,
      description: 'The collector’s TCP port on the session, if not 179.',
    }),
    peerPort: t.exposeInt('peerPort', { nullable: true, description: 'The peer’s TCP port, if not 179.' }),
    multihop: t.exposeBoolean('multihop', { description: 'eBGP multihop.' }),
    peerAsn: t.exposeFloat('peerAsn', { description: 'The peer’s AS number.' }),
    importLimit: t.exposeInt('importLimit', {
      description:
        'Most prefixes accepted on the session, all institutions together (`import limit N action restart`).',
    }),
    prefixCount: t.int({
      description: 'Prefixes announced on the session now, all institutions together.',
      resolve: (s, _a, { database }) => sessionLoad(database.db, s.id),
    }),
  }),
});

const BirdCheckRef = builder.simpleObject('BirdCheck', {
  description: 'The verdict of `bird -p -c` on a generated configuration.',
  fields: (t) => ({
    ok: t.boolean({ description: 'BIRD parsed it without error.' }),
    errors: t.stringList({ description: 'BIRD’s messages (it stops at the first error).' }),
  }),
});

export const RenderedConfigRef = builder.objectRef<ConfigRow>('RenderedConfig').implement({
  description: 'A generated BIRD configuration of a collector.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'Numbered from 1 per collector; the latest is current.' }),
    text: t.exposeString('text', { description: 'The configuration text.' }),
    hash: t.exposeString('hash', { description: 'SHA-256 (hex) of the text.' }),
    birdCheck: t.field({
      type: BirdCheckRef,
      description: 'What `bird -p` said of it.',
      resolve: (c) => ({ ok: c.birdOk, errors: c.birdErrors }),
    }),
    rejected: t.stringList({
      description: 'Prefixes the generator left out, each with the reason (`prefix: reason`).',
      resolve: (c) => c.rejected,
    }),
    requestId: t.exposeID('requestId', { nullable: true, description: 'The routing change that made it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was generated.' }),
    deployStatus: t.string({
      nullable: true,
      description:
        '`deployed` (the collector’s BIRD reloaded it), `failed` (see deployOutput), `not-deployed` (the collector has no deployment target: the NOC deploys it), null while pending.',
      resolve: (c) => c.deployStatus,
    }),
    deployOutput: t.string({
      nullable: true,
      description: 'What `birdc configure` answered (or why the deployment failed).',
      resolve: (c) => c.deployOutput,
    }),
    deployedAt: t.expose('deployedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was deployed.',
    }),
  }),
});

export const CollectorRef = builder.objectRef<CollectorRow>('Collector').implement({
  description:
    'A regional collection network that carries institutions to the backbone. Everyone signed in reads its name, region and AS; its sessions, router id and configuration are the operator’s.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    region: t.exposeString('region', { description: 'The region it serves.' }),
    asn: t.exposeFloat('asn', { description: 'Its AS number.' }),
    routerId: t.field({
      type: 'IPAddress',
      description: 'BIRD router id. Operator staff.',
      authScopes: STAFF_READ,
      resolve: (c) => host(c.routerId),
    }),
    sessions: t.field({
      type: [SessionRef],
      description: 'Its BGP sessions by name. Operator staff.',
      authScopes: STAFF_READ,
      resolve: (c, _a, { database }) => sessionsOf(database.db, c.id),
    }),
    renderedConfig: t.field({
      type: RenderedConfigRef,
      nullable: true,
      description:
        'Its current (latest) generated BIRD configuration; null before the first. Operator staff.',
      authScopes: STAFF_READ,
      resolve: async (c, _a, { database }) => (await latestConfig(database.db, c.id)) ?? null,
    }),
  }),
});

export const AnnouncementSourceEnum = builder.enumType('AnnouncementSource', {
  description: 'Why an institution may announce a prefix.',
  values: {
    IPAM: { value: 'ipam', description: 'Inside one of its active assignments.' },
    PI: { value: 'pi', description: 'Provider-independent, accepted by the NOC on evidence.' },
  } as const,
});

export const AnnouncementRef = builder.objectRef<AnnouncementRow>('Announcement').implement({
  description: 'A prefix announced for an institution.',
  fields: (t) => ({
    prefix: t.field({ type: 'IPPrefix', description: 'The prefix.', resolve: (a) => a.prefix }),
    source: t.field({
      type: AnnouncementSourceEnum,
      description: 'Why it may be announced.',
      resolve: (a) => a.source as 'ipam' | 'pi',
    }),
    assignmentId: t.exposeID('assignmentId', {
      nullable: true,
      description: 'IPAM: the assignment holding it.',
    }),
    evidence: t.exposeString('evidence', { nullable: true, description: 'PI: the evidence given.' }),
    acceptedAt: t.expose('acceptedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'PI: when the NOC accepted it.',
    }),
  }),
});

export interface InstitutionRouting {
  institutionId: string;
  /** Null before its first routing change. */
  row: RoutingRow | null;
}

export const InstitutionRoutingRef = builder.objectRef<InstitutionRouting>('InstitutionRouting').implement({
  description:
    'How an institution reaches the backbone: its collector, session, origin AS, announced prefixes, and its routing change requests.',
  fields: (t) => ({
    collector: t.field({
      type: CollectorRef,
      nullable: true,
      description: 'Its current collector (null before its first routing change).',
      resolve: async ({ row }, _a, { database }) =>
        row ? ((await getCollector(database.db, row.collectorId)) ?? null) : null,
    }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description: 'The BGP session carrying its prefixes. Operator staff (null for others).',
      resolve: async ({ row }, _a, { database, ctx }) =>
        row && isStaff(ctx.actor) ? ((await getSession(database.db, row.sessionId)) ?? null) : null,
    }),
    originAs: t.float({
      nullable: true,
      description: 'The AS its prefixes are originated from.',
      resolve: ({ row }) => row?.originAs ?? null,
    }),
    announcements: t.field({
      type: [AnnouncementRef],
      description: 'The prefixes announced for it (IPv4 first, by prefix).',
      resolve: (r, _a, { database }) => announcementsOf(database.db, r.institutionId),
    }),
    updatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last changed.',
      resolve: ({ row }) => row?.updatedAt ?? null,
    }),
    requests: t.field({
      type: [RequestRef],
      description: 'Its routing change requests, newest first (at most 100): the history of its routing.',
      resolve: (r, _a, { database }) => routingRequestsOf(database.db, r.institutionId, ROUTING_CHANGE),
    }),
  }),
});
