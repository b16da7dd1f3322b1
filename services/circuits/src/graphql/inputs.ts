import { builder } from '@guichet/graphql';
import { submitField } from '@guichet/workflow';
import { PathEnum, ServiceEnum, TechnologyEnum, TopologyEnum } from './types.js';

/** The inputs of the circuits request and design mutations, and their mapping to payloads. */

export const EndpointNeedInput = builder.inputType('CircuitEndpointNeedInput', {
  description:
    'A site at one end: one of the institution’s, or another institution’s (which must then agree).',
  fields: (f) => ({
    siteId: f.id({ description: 'The site.' }),
    prefixLimit: f.int({
      required: false,
      description: 'IP: most prefixes the site announces (required for IP).',
    }),
    prefixes: f.field({
      type: ['IPPrefix'],
      required: false,
      description: 'IP: the prefixes it announces (private space is fine; IPv6 not yet).',
    }),
    vlans: f.intList({ required: false, description: 'Ethernet: the site’s own VLANs to carry.' }),
    hub: f.boolean({ required: false, description: 'IP hub-and-spoke: a hub site.' }),
  }),
});

export const endpointNeed = (e: {
  siteId: string | number;
  prefixLimit?: number | null;
  prefixes?: string[] | null;
  vlans?: number[] | null;
  hub?: boolean | null;
}) => ({
  siteId: String(e.siteId),
  ...(e.prefixLimit != null ? { prefixLimit: e.prefixLimit } : {}),
  prefixes: e.prefixes ?? [],
  vlans: e.vlans ?? [],
  hub: e.hub ?? false,
});

export const RequestCircuitInput = builder.inputType('RequestCircuitInput', {
  description: 'The need: the NOC chooses the technology from it.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution ordering.' }),
    name: f.string({ description: 'A name for the circuit.' }),
    topology: f.field({ type: TopologyEnum, description: 'Point-to-point or multipoint.' }),
    service: f.field({ type: ServiceEnum, description: 'Ethernet or IP interconnection.' }),
    bandwidthMbps: f.int({ description: 'Bandwidth, Mbit/s (≤ 1000 shared, 10000 on a dedicated lambda).' }),
    backup: f.boolean({ required: false, description: 'Point-to-point: a backup path too.' }),
    ipv6: f.boolean({ required: false, description: 'IP: IPv6 wanted (refused: not supported yet).' }),
    multicast: f.boolean({
      required: false,
      description: 'IP: multicast wanted (refused: not supported yet).',
    }),
    wantedFrom: f.field({ type: 'DateTime', required: false, description: 'Wanted from.' }),
    wantedUntil: f.field({ type: 'DateTime', required: false, description: 'Wanted until.' }),
    endpoints: f.field({ type: [EndpointNeedInput], description: 'The sites.' }),
    submit: f.boolean({ required: false, description: 'Submit at once (default); false keeps a draft.' }),
  }),
});

export const AttachmentDesignInput = builder.inputType('CircuitAttachmentDesignInput', {
  description: 'How one endpoint reaches the backbone on one path.',
  fields: (f) => ({
    endpointId: f.id({ description: 'The endpoint.' }),
    path: f.field({ type: PathEnum, required: false, description: 'Primary (default) or backup.' }),
    portId: f.id({ description: 'The access port (one the site reaches the backbone through).' }),
    vids: f.intList({
      required: false,
      description: 'The VID on the port (none: the next free one); VLAN-to-VLAN takes exactly one.',
    }),
    cvlans: f.intList({ required: false, description: 'QinQ: the C-VLANs carried inside the S-VLAN.' }),
    segmentL2Mtu: f.int({
      required: false,
      description: 'Behind a handoff: the regional segment’s L2 MTU (default the handoff’s).',
    }),
    segmentRemoteVid: f.int({
      required: false,
      description: 'Behind a handoff: the regional VID (translation), default the backbone VID.',
    }),
    segmentExtraTags: f.int({
      required: false,
      description: 'Behind a handoff: tags the regional network adds.',
    }),
    bgpLocalAddress: f.string({
      required: false,
      description: 'L3VPN: the operator’s address on the site link.',
    }),
    bgpPeerAddress: f.string({ required: false, description: 'L3VPN: the site’s address.' }),
    bgpPeerAsn: f.float({ required: false, description: 'L3VPN: the site’s AS.' }),
    prefixLimit: f.int({
      required: false,
      description: 'L3VPN: most prefixes accepted (default: the site’s need).',
    }),
    bgpMultihop: f.boolean({
      required: false,
      description: 'L3VPN: the site’s router is not directly connected (eBGP multihop).',
    }),
    bgpLocalPort: f.int({ required: false, description: 'L3VPN: the operator’s TCP port, if not 179.' }),
    bgpPeerPort: f.int({ required: false, description: 'L3VPN: the site’s TCP port, if not 179.' }),
  }),
});

export const DesignCircuitInput = builder.inputType('DesignCircuitInput', {
  description: 'The NOC’s design of a circuit order (or of the members a member change adds).',
  fields: (f) => ({
    requestId: f.id({ description: 'The request waiting at its design step.' }),
    technology: f.field({ type: TechnologyEnum, description: 'The technology chosen.' }),
    payloadMtu: f.int({
      required: false,
      description: 'Largest customer payload, bytes (default CIRCUITS_PAYLOAD_MTU).',
    }),
    hubAndSpoke: f.boolean({
      required: false,
      description: 'L3VPN: hub-and-spoke (hub and spoke RTs) instead of a mesh.',
    }),
    attachments: f.field({ type: [AttachmentDesignInput], description: 'Every endpoint on every path.' }),
  }),
});

type AttachmentInput = {
  endpointId: string | number;
  path?: string | null;
  portId: string | number;
  vids?: number[] | null;
  cvlans?: number[] | null;
  segmentL2Mtu?: number | null;
  segmentRemoteVid?: number | null;
  segmentExtraTags?: number | null;
  bgpLocalAddress?: string | null;
  bgpPeerAddress?: string | null;
  bgpPeerAsn?: number | null;
  prefixLimit?: number | null;
  bgpMultihop?: boolean | null;
  bgpLocalPort?: number | null;
  bgpPeerPort?: number | null;
};

export function designData(input: {
  technology: string;
  payloadMtu?: number | null;
  hubAndSpoke?: boolean | null;
  attachments: AttachmentInput[];
}) {
  return {
    technology: input.technology,
    ...(input.payloadMtu != null ? { payloadMtu: input.payloadMtu } : {}),
    vpnTopology: input.hubAndSpoke ? 'hub_and_spoke' : 'mesh',
    attachments: input.attachments.map((a) => {
      const segment = {
        ...(a.segmentL2Mtu != null ? { l2Mtu: a.segmentL2Mtu } : {}),
        ...(a.segmentRemoteVid != null ? { remoteVid: a.segmentRemoteVid } : {}),
        ...(a.segmentExtraTags != null ? { extraTags: a.segmentExtraTags } : {}),
      };
      return {
        endpointId: String(a.endpointId),
        path: (a.path ?? 'primary') as 'primary' | 'backup',
        portId: String(a.portId),
        vids: a.vids ?? [],
        cvlans: a.cvlans ?? [],
        ...(Object.keys(segment).length ? { segment } : {}),
        ...(a.bgpPeerAddress != null || a.bgpLocalAddress != null
          ? {
              bgp: {
                localAddress: a.bgpLocalAddress ?? '',
                peerAddress: a.bgpPeerAddress ?? '',
                peerAsn: a.bgpPeerAsn ?? 0,
                ...(a.prefixLimit != null ? { prefixLimit: a.prefixLimit } : {}),
                ...(a.bgpMultihop != null ? { multihop: a.bgpMultihop } : {}),
                ...(a.bgpLocalPort != null ? { localPort: a.bgpLocalPort } : {}),
                ...(a.bgpPeerPort != null ? { peerPort: a.bgpPeerPort } : {}),
              },
            }
          : {}),
      };
    }),
  };
}

export const ChangeFields = {
  bandwidth: builder.inputType('RequestCircuitBandwidthChangeInput', {
    description: 'A new bandwidth for an active circuit.',
    fields: (f) => ({
      institutionId: f.id({ description: 'The circuit’s institution.' }),
      circuitId: f.id({ description: 'The circuit.' }),
      bandwidthMbps: f.int({ description: 'The new bandwidth, Mbit/s.' }),
      submit: submitField(f),
    }),
  }),
  members: builder.inputType('RequestCircuitMemberChangeInput', {
    description: 'Sites joining or leaving an active multipoint circuit.',
    fields: (f) => ({
      institutionId: f.id({ description: 'The circuit’s institution.' }),
      circuitId: f.id({ description: 'The circuit.' }),
      add: f.field({ type: [EndpointNeedInput], required: false, description: 'Sites joining.' }),
      remove: f.idList({ required: false, description: 'Endpoints leaving.' }),
      submit: submitField(f),
    }),
  }),
  termination: builder.inputType('RequestCircuitTerminationInput', {
    description: 'The end of a circuit.',
    fields: (f) => ({
      institutionId: f.id({ description: 'The circuit’s institution.' }),
      circuitId: f.id({ description: 'The circuit.' }),
      reason: f.string({ required: false, description: 'Why.' }),
      submit: submitField(f),
    }),
  }),
};

export type NeedInput = Parameters<typeof endpointNeed>[0];
