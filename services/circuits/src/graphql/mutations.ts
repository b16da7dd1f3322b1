import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { builder, NOC_WRITE, WRITE } from '@guichet/graphql';
import { actOnStep, REQUEST_ERRORS, RequestRef, requestMutation, submitField } from '@guichet/workflow';
import { generateDeviceConfigs, l3Devices } from '../service/configs.js';
import { consentToEndpoint } from '../service/consent.js';
import { devicesOfCircuit, setCircuitState } from '../service/lifecycle.js';
import { getCircuitView, segmentOf } from '../service/queries.js';
import { updateSegment } from '../service/segments.js';
import { CIRCUIT_ORDER } from '../workflow/order.js';
import {
  CircuitRef,
  EndpointRef,
  PathEnum,
  RegionalSegmentRef,
  ServiceEnum,
  TechnologyEnum,
  TopologyEnum,
} from './types.js';

/**
 * Requests are filed through the request engine (who may file: a technical contact of the
 * institution, or the desk); the NOC designs through the order's `design` step; consent is
 * the other institution's; segments and disabling are the NOC's.
 */

const ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError, InvalidTransitionError];
const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

const RequestPayload = (name: string) =>
  builder.simpleObject(`${name}Payload`, {
    description: 'The filed request.',
    fields: (f) => ({ request: f.field({ type: RequestRef, description: 'The request.' }) }),
  });

const EndpointNeedInput = builder.inputType('CircuitEndpointNeedInput', {
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

const endpointNeed = (e: {
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

const RequestCircuitInput = builder.inputType('RequestCircuitInput', {
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

const AttachmentDesignInput = builder.inputType('CircuitAttachmentDesignInput', {
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

const DesignCircuitInput = builder.inputType('DesignCircuitInput', {
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

function designData(input: {
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

const ChangeFields = {
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

type NeedInput = Parameters<typeof endpointNeed>[0];

requestMutation<{ institutionId: string; submit?: boolean | null } & Record<string, unknown>>(
  'requestCircuit',
  {
    kind: CIRCUIT_ORDER,
    description:
      'Orders a circuit (request kind `circuits.order`): the need is checked at once (typed refusals with stable codes, nothing filed), then the NOC designs it, regional segments are activated, and it goes active. A technical contact of the institution, or the desk.',
    input: RequestCircuitInput,
    inputDescription: 'The need.',
    payload: (input) => ({
      name: input.name,
      topology: input.topology,
      service: input.service,
      bandwidthMbps: input.bandwidthMbps,
      backup: input.backup ?? false,
      ipv6: input.ipv6 ?? false,
      multicast: input.multicast ?? false,
      ...(input.wantedFrom ? { wantedFrom: (input.wantedFrom as Date).toISOString() } : {}),
      ...(input.wantedUntil ? { wantedUntil: (input.wantedUntil as Date).toISOString() } : {}),
      endpoints: (input.endpoints as NeedInput[]).map(endpointNeed),
    }),
  },
);

requestMutation<{ institutionId: string; submit?: boolean | null; circuitId: string; bandwidthMbps: number }>(
  'requestCircuitBandwidthChange',
  {
    kind: 'circuits.bandwidthChange',
    description:
      'Changes an active circuit’s bandwidth (`circuits.bandwidthChange`), within its offer and its ports’ capacity. A technical contact of its institution, or the desk.',
    input: ChangeFields.bandwidth,
    inputDescription: 'The change.',
    payload: (input) => ({ circuitId: String(input.circuitId), bandwidthMbps: input.bandwidthMbps }),
  },
);

requestMutation<{
  institutionId: string;
  submit?: boolean | null;
  circuitId: string;
  add?: NeedInput[] | null;
  remove?: string[] | null;
}>('requestCircuitMemberChange', {
  kind: 'circuits.memberChange',
  description:
    'Adds sites to or removes sites from an active multipoint circuit (`circuits.memberChange`). A technical contact of its institution, or the desk.',
  input: ChangeFields.members,
  inputDescription: 'The change.',
  payload: (input) => ({
    circuitId: String(input.circuitId),
    add: (input.add ?? []).map(endpointNeed),
    remove: (input.remove ?? []).map(String),
  }),
});

requestMutation<{
  institutionId: string;
  submit?: boolean | null;
  circuitId: string;
  reason?: string | null;
}>('requestCircuitTermination', {
  kind: 'circuits.termination',
  description:
    'Ends a circuit (`circuits.termination`): after the NOC, its VLANs, RD/RT and capacity are freed in one transaction. A technical contact of its institution, or the desk.',
  input: ChangeFields.termination,
  inputDescription: 'The termination.',
  payload: (input) => ({
    circuitId: String(input.circuitId),
    ...(input.reason ? { reason: input.reason } : {}),
  }),
});

builder.mutationFields((t) => ({
  consentToCircuitEndpoint: t.field({
    type: builder.simpleObject('ConsentToCircuitEndpointPayload', {
      description: 'The endpoint, with the answer recorded.',
      fields: (f) => ({ endpoint: f.field({ type: EndpointRef, description: 'The endpoint.' }) }),
    }),
    description:
      'Agrees (or refuses, with a reason) that one of your sites is an endpoint of another institution’s circuit. A technical contact of the site’s institution.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('ConsentToCircuitEndpointInput', {
          description: 'The answer.',
          fields: (f) => ({
            endpointId: f.id({ description: 'The endpoint (your site).' }),
            agree: f.boolean({ description: 'Agree, or refuse.' }),
            reason: f.string({ required: false, description: 'Why (required to refuse).' }),
          }),
        }),
        description: 'The answer.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx, env }) => ({
      endpoint: {
        ...(await consentToEndpoint(database.db, ctx, env, {
          endpointId: String(input.endpointId),
          agree: input.agree,
          reason: opt(input.reason),
        })),
        payloadMtu: 1500,
      },
    }),
  }),
  designCircuit: t.field({
    type: RequestPayload('DesignCircuit'),
    description:
      'The NOC’s design of an order waiting at its design step: every invariant checked (typed refusals with stable codes), then VLANs, capacity, ports and RD/RT held. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: DesignCircuitInput, description: 'The design.' }) },
    resolve: async (_r, { input }, { database, ctx, env }) => ({
      request: await actOnStep(
        database.db,
        ctx,
        env,
        {
          requestId: String(input.requestId),
          step: 'design',
          decision: 'approve',
          data: designData(input as never),
        },
        { dataPath: ['input'] },
      ),
    }),
  }),
  updateRegionalSegment: t.field({
    type: builder.simpleObject('UpdateRegionalSegmentPayload', {
      description: 'The segment after the change.',
      fields: (f) => ({ segment: f.field({ type: RegionalSegmentRef, description: 'The segment.' }) }),
    }),
    description:
      'Records a regional segment ordered from its operator (circuit id, reference) or confirmed active; the order goes on once every segment is active. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('UpdateRegionalSegmentInput', {
          description: 'What the regional operator said.',
          fields: (f) => ({
            segmentId: f.id({ description: 'The segment.' }),
            active: f.boolean({ description: 'Confirmed active (else: ordered).' }),
            providerCircuitId: f.string({
              required: false,
              description: 'The regional operator’s circuit id.',
            }),
            operatorReference: f.string({
              required: false,
              description: 'The regional operator’s reference.',
            }),
            remoteVid: f.int({ required: false, description: 'The regional VID (translation).' }),
            l2Mtu: f.int({
              required: false,
              description: 'The segment’s L2 MTU, as the operator confirms it.',
            }),
          }),
        }),
        description: 'The change.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx, env }) => {
      const s = await updateSegment(database.db, ctx, env, {
        segmentId: String(input.segmentId),
        state: input.active ? 'active' : 'ordered',
        providerCircuitId: opt(input.providerCircuitId),
        operatorReference: opt(input.operatorReference),
        remoteVid: opt(input.remoteVid),
        l2Mtu: opt(input.l2Mtu),
      });
      return { segment: (await segmentOf(database.db, s.attachmentId))! };
    },
  }),
  setCircuitState: t.field({
    type: builder.simpleObject('SetCircuitStatePayload', {
      description: 'The circuit after the change.',
      fields: (f) => ({ circuit: f.field({ type: CircuitRef, description: 'The circuit.' }) }),
    }),
    description:
      'Disables an active circuit (its holdings stay; L3VPN sessions shut) or enables it again; the PE configurations follow. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      circuitId: t.arg.id({ description: 'The circuit.' }),
      disabled: t.arg.boolean({ description: 'Disabled, or active.' }),
    },
    resolve: async (_r, { circuitId, disabled }, context) => {
      const { database, ctx } = context;
      const row = await setCircuitState(database.db, ctx, {
        circuitId: String(circuitId),
        state: disabled ? 'disabled' : 'active',
      });
      // After the commit: bird -p never runs under a lock.
      const devs = await l3Devices(database.db, await devicesOfCircuit(database.db, row.id));
      await generateDeviceConfigs(database.db, ctx, context.env.line('circuits').config, devs, null);
      return { circuit: (await getCircuitView(database.db, ctx.actor, row.id))! };
    },
  }),
}));
