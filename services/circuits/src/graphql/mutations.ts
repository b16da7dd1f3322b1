import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { builder, NOC_WRITE, WRITE } from '@guichet/graphql';
import { actOnStep, REQUEST_ERRORS, RequestRef, requestMutation } from '@guichet/workflow';
import { generateDeviceConfigs, l3Devices } from '../service/configs.js';
import { consentToEndpoint } from '../service/consent.js';
import { devicesOfCircuit, setCircuitState } from '../service/lifecycle.js';
import { getCircuitView, segmentOf } from '../service/queries.js';
import { updateSegment } from '../service/segments.js';
import { CIRCUIT_ORDER } from '../workflow/order.js';
import {
  ChangeFields,
  DesignCircuitInput,
  designData,
  endpointNeed,
  type NeedInput,
  RequestCircuitInput,
} from './inputs.js';
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
