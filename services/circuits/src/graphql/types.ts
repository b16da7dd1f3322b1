import { builder, STAFF_READ } from '@guichet/graphql';
import { getSite, isStaff, SiteRef } from '@guichet/membership';
import { getRequest, RequestRef } from '@guichet/workflow';
import { circuitReference, TECHNOLOGY_TEXT, type Technology } from '../model.js';
import {
  attachmentsOf,
  byId,
  type CircuitView,
  cvlansOf,
  endpointsOf,
  segmentOf,
} from '../service/queries.js';
import { vpnRouting } from '../service/rdrt-alloc.js';
import { type endpoints, ports } from '../tables.js';
import { PeSessionRef, PortRef, VpnRoutingRef } from './inventory-types.js';

/** The circuit record as institutions and the NOC read it. */

const host = (inet: string | null) => (inet ? inet.replace(/\/(32|128)$/, '') : null);

export const TopologyEnum = builder.enumType('CircuitTopology', {
  description: 'Point-to-point (two sites) or multipoint (several sites).',
  values: {
    POINT_TO_POINT: { value: 'p2p', description: 'Two sites.' },
    MULTIPOINT: { value: 'multipoint', description: 'Several sites (IP interconnection only: no VPLS).' },
  } as const,
});

export const ServiceEnum = builder.enumType('CircuitService', {
  description: 'What the sites need between them.',
  values: {
    ETHERNET: { value: 'ethernet', description: 'An Ethernet (layer 2) link.' },
    IP: {
      value: 'ip',
      description: 'An IP interconnection (layer 3, BGP between the operator and each site).',
    },
  } as const,
});

export const TechnologyEnum = builder.enumType('CircuitTechnology', {
  description: 'What the NOC chose to carry the circuit.',
  values: Object.fromEntries(
    (Object.entries(TECHNOLOGY_TEXT) as [Technology, string][]).map(([v, text]) => [
      v.toUpperCase(),
      { value: v, description: text },
    ]),
  ) as Record<Uppercase<Technology>, { value: Technology; description: string }>,
});

export const CircuitStateEnum = builder.enumType('CircuitState', {
  description: 'The resource lifecycle: requested → provisioning → active ⇄ disabled → terminated.',
  values: {
    REQUESTED: { value: 'requested', description: 'Ordered; not designed yet.' },
    PROVISIONING: {
      value: 'provisioning',
      description:
        'Designed: VLANs, ports, capacity and RD/RT held; waiting for its segments and configuration.',
    },
    ACTIVE: { value: 'active', description: 'In service.' },
    DISABLED: { value: 'disabled', description: 'Suspended by the NOC; what it holds stays held.' },
    TERMINATED: { value: 'terminated', description: 'Ended; everything it held is free.' },
  } as const,
});

export const SegmentStateEnum = builder.enumType('RegionalSegmentState', {
  description:
    'A regional segment: requested (designed) → ordered from the regional operator → active; terminated.',
  values: {
    REQUESTED: { value: 'requested', description: 'Part of the design, not ordered yet.' },
    ORDERED: {
      value: 'ordered',
      description: 'Ordered from the regional operator (its circuit id and reference recorded).',
    },
    ACTIVE: { value: 'active', description: 'Confirmed active by the regional operator.' },
    TERMINATED: { value: 'terminated', description: 'Released.' },
  } as const,
});

export const ConsentEnum = builder.enumType('CircuitEndpointConsent', {
  description: 'Whether the institution of an endpoint’s site agreed to it.',
  values: {
    OWN: { value: 'own', description: 'The site is the filer’s own.' },
    PENDING: { value: 'pending', description: 'Another institution’s site, waiting for its consent.' },
    GIVEN: { value: 'given', description: 'The other institution agreed.' },
    REFUSED: { value: 'refused', description: 'The other institution refused.' },
  } as const,
});

export const PathEnum = builder.enumType('CircuitPath', {
  description: 'Which path of a circuit an attachment is on.',
  values: {
    PRIMARY: { value: 'primary', description: 'The primary path.' },
    BACKUP: { value: 'backup', description: 'The backup path (point-to-point circuits that asked for one).' },
  } as const,
});

type SegmentRow = NonNullable<Awaited<ReturnType<typeof segmentOf>>>;
export const RegionalSegmentRef = builder.objectRef<SegmentRow>('RegionalSegment').implement({
  description: 'The regional (collecte) operator’s circuit between a backbone handoff and the site.',
  fields: (t) => ({
    id: t.id({ description: 'Identifier.', resolve: (s) => s.s.id }),
    regionalNetwork: t.string({
      description: 'The regional network (the provider).',
      resolve: (s) => s.network,
    }),
    handoff: t.string({ description: 'The handoff where it meets the backbone.', resolve: (s) => s.handoff }),
    state: t.field({
      type: SegmentStateEnum,
      description: 'Where it stands.',
      resolve: (s) => s.s.state as 'active',
    }),
    providerCircuitId: t.string({
      nullable: true,
      description: 'The regional operator’s circuit id (unique per regional network).',
      resolve: (s) => s.s.providerCircuitId,
    }),
    operatorReference: t.string({
      nullable: true,
      description: 'The regional operator’s ticket or order reference. Operator staff.',
      authScopes: STAFF_READ,
      resolve: (s) => s.s.operatorReference,
    }),
    localVid: t.int({
      description: 'The VID on the backbone side of the handoff.',
      resolve: (s) => s.s.localVid,
    }),
    remoteVid: t.int({
      description: 'The VID on the regional side (VLAN translation by the handoff, else equal).',
      resolve: (s) => s.s.remoteVid,
    }),
    l2Mtu: t.int({ description: 'The segment’s L2 MTU.', resolve: (s) => s.s.l2Mtu }),
    activatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was confirmed active.',
      resolve: (s) => s.s.activatedAt,
    }),
  }),
});

type AttachmentRow = Awaited<ReturnType<typeof attachmentsOf>>[number] & { payloadMtu: number };
export const AttachmentRef = builder.objectRef<AttachmentRow>('CircuitAttachment').implement({
  description:
    'An endpoint’s access to the backbone on one path: the VLAN (or whole port), QinQ, MTU, segment and BGP session.',
  fields: (t) => ({
    path: t.field({
      type: PathEnum,
      description: 'Primary or backup.',
      resolve: (a) => a.a.path as 'primary',
    }),
    port: t.field({
      type: PortRef,
      nullable: true,
      description: 'The operator’s access port. Operator staff (null for others).',
      resolve: async (a, _x, { database, ctx }) =>
        isStaff(ctx.actor) ? ((await byId(database.db, ports, a.a.portId)) ?? null) : null,
    }),
    wholePort: t.boolean({
      description: 'The circuit takes the whole dedicated port (port-to-port, lambda).',
      resolve: (a) => a.a.use === 'port',
    }),
    vid: t.int({
      nullable: true,
      description: 'The VLAN the site hands off (the S-VLAN under QinQ); null for port-to-port.',
      resolve: (a) => a.vid ?? a.a.portVid,
    }),
    cvlans: t.intList({
      description: 'QinQ: the C-VLANs carried inside the S-VLAN.',
      resolve: (a, _x, { database }) => cvlansOf(database.db, a.vlanId),
    }),
    tags: t.int({
      description: '802.1Q tags on the customer frames at the access.',
      resolve: (a) => a.a.tags,
    }),
    requiredL2Mtu: t.int({
      description: 'The L2 MTU every hop needs: payload + 4 × tags.',
      resolve: (a) => a.payloadMtu + 4 * a.a.tags,
    }),
    segment: t.field({
      type: RegionalSegmentRef,
      nullable: true,
      description: 'The regional segment behind the handoff, if the site is behind a regional network.',
      resolve: async (a, _x, { database }) => (await segmentOf(database.db, a.a.id)) ?? null,
    }),
    bgpSession: t.field({
      type: PeSessionRef,
      nullable: true,
      description: 'L3VPN: the BGP session between the operator and the site.',
      resolve: (a) =>
        a.a.bgpPeer
          ? {
              localAddress: host(a.a.bgpLocal)!,
              peerAddress: host(a.a.bgpPeer)!,
              peerAsn: a.a.peerAsn!,
              prefixLimit: a.a.prefixLimit!,
            }
          : null,
    }),
  }),
});

type EndpointRow = typeof endpoints.$inferSelect & { payloadMtu: number };
export const EndpointRef = builder.objectRef<EndpointRow>('CircuitEndpoint').implement({
  description: 'A site at one end of a circuit.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier (used to consent).' }),
    institutionId: t.exposeID('institutionId', { description: 'The institution of the site.' }),
    site: t.field({
      type: SiteRef,
      nullable: true,
      description: 'The site.',
      resolve: async (e, _x, { database }) => (await getSite(database.db, e.siteId)) ?? null,
    }),
    consent: t.field({
      type: ConsentEnum,
      description: 'Whether its institution agreed.',
      resolve: (e) => e.consent as 'own',
    }),
    consentReason: t.exposeString('consentReason', {
      nullable: true,
      description: 'Why it was refused (or the note given).',
    }),
    prefixLimit: t.exposeInt('prefixLimit', {
      nullable: true,
      description: 'L3VPN: most prefixes the site announces.',
    }),
    prefixes: t.field({
      type: ['IPPrefix'],
      description: 'L3VPN: the prefixes it said it announces.',
      resolve: (e) => e.prefixes,
    }),
    vlans: t.exposeIntList('vlans', { description: 'Ethernet: its own VLANs to carry.' }),
    hub: t.exposeBoolean('hub', { description: 'L3VPN hub-and-spoke: a hub site.' }),
    removedAt: t.expose('removedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it left the circuit.',
    }),
    attachments: t.field({
      type: [AttachmentRef],
      description: 'Its live accesses (primary, and the backup).',
      resolve: async (e, _x, { database }) =>
        (await attachmentsOf(database.db, e.id)).map((a) => ({ ...a, payloadMtu: e.payloadMtu })),
    }),
  }),
});

export const CircuitRef = builder.objectRef<CircuitView>('Circuit').implement({
  description:
    'A circuit between sites. Its owner and operator staff see it whole; the other institution of a shared circuit sees only its own end.',
  fields: (t) => ({
    id: t.id({ description: 'Identifier.', resolve: (v) => v.row.id }),
    reference: t.string({
      description: 'How people name it: `CIR-000042`.',
      resolve: (v) => circuitReference(v.row.number),
    }),
    name: t.string({ description: 'Its name.', resolve: (v) => v.row.name }),
    institutionId: t.id({
      description: 'The institution that ordered it (its owner).',
      resolve: (v) => v.row.institutionId,
    }),
    topology: t.field({
      type: TopologyEnum,
      description: 'Point-to-point or multipoint.',
      resolve: (v) => v.row.topology as 'p2p',
    }),
    service: t.field({
      type: ServiceEnum,
      description: 'Ethernet or IP.',
      resolve: (v) => v.row.service as 'ip',
    }),
    technology: t.field({
      type: TechnologyEnum,
      nullable: true,
      description: 'The NOC’s choice (null until the design).',
      resolve: (v) => (v.row.technology as Technology | null) ?? null,
    }),
    bandwidthMbps: t.int({ description: 'Its bandwidth, Mbit/s.', resolve: (v) => v.row.bandwidthMbps }),
    backup: t.boolean({ description: 'A backup path was asked for.', resolve: (v) => v.row.backup }),
    payloadMtu: t.int({
      nullable: true,
      description: 'The customer payload it carries, bytes (from the design).',
      resolve: (v) => v.row.payloadMtu,
    }),
    state: t.field({
      type: CircuitStateEnum,
      description: 'Where it stands in its lifecycle.',
      resolve: (v) => v.row.state as 'active',
    }),
    wantedFrom: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Wanted from.',
      resolve: (v) => v.row.wantedFrom,
    }),
    wantedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Wanted until.',
      resolve: (v) => v.row.wantedUntil,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was ordered.',
      resolve: (v) => v.row.createdAt,
    }),
    activatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it went active.',
      resolve: (v) => v.row.activatedAt,
    }),
    terminatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was terminated.',
      resolve: (v) => v.row.terminatedAt,
    }),
    sharedView: t.boolean({
      description: 'You see it as the other institution of a shared circuit: only your own end.',
      resolve: (v) => Boolean(v.only),
    }),
    endpoints: t.field({
      type: [EndpointRef],
      description: 'Its endpoints (for the other institution of a shared circuit, only its own).',
      resolve: async (v, _x, { database }) =>
        (await endpointsOf(database.db, v)).map((e) => ({ ...e, payloadMtu: v.row.payloadMtu ?? 1500 })),
    }),
    order: t.field({
      type: RequestRef,
      nullable: true,
      description: 'The order that made it (null for the other institution of a shared circuit).',
      resolve: async (v, _x, { database, ctx }) =>
        v.only ? null : getRequest(database.db, ctx, v.row.requestId).catch(() => null),
    }),
    routing: t.field({
      type: VpnRoutingRef,
      nullable: true,
      description:
        'L3VPN and L2VPN: its VPN — RD per VRF, RTs, and (L3VPN) the PE sessions and configurations. Operator staff: the NOC sees the routing.',
      authScopes: STAFF_READ,
      resolve: async (v, _x, { database }) => {
        const r = await vpnRouting(database.db, v.row.id);
        return r ? { ...r, circuitId: v.row.id } : null;
      },
    }),
  }),
});
