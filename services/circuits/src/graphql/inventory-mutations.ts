import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder, NOC_WRITE } from '@guichet/graphql';
import {
  addSiteAccess,
  createDevice,
  createHandoff,
  createPop,
  createPort,
  createRegionalNetwork,
  setRdAdministrator,
  setVlanRanges,
  updatePort,
} from '../service/inventory/index.js';
import { byId } from '../service/queries.js';
import { ports } from '../tables.js';
import {
  DeviceRef,
  HandoffRef,
  PopRef,
  PortRef,
  RdAdministratorRef,
  RegionalNetworkRef,
} from './inventory-types.js';

/** The NOC's inventory mutations (admin stands in). */

const ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];
const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

const RangeInput = builder.inputType('VlanRangeInput', {
  description: 'A run of VIDs (1–4094; 0 and 4095 are reserved by 802.1Q).',
  fields: (f) => ({ from: f.int({ description: 'First VID.' }), to: f.int({ description: 'Last VID.' }) }),
});

const PopPayload = builder.simpleObject('CreatePointOfPresencePayload', {
  description: 'The new point of presence.',
  fields: (f) => ({ pop: f.field({ type: PopRef, description: 'The point of presence.' }) }),
});
const DevicePayload = builder.simpleObject('CreateAccessDevicePayload', {
  description: 'The new device.',
  fields: (f) => ({ device: f.field({ type: DeviceRef, description: 'The device.' }) }),
});
const portPayload = (name: string, description: string) =>
  builder.simpleObject(`${name}Payload`, {
    description,
    fields: (f) => ({ port: f.field({ type: PortRef, description: 'The port.' }) }),
  });
const NetworkPayload = builder.simpleObject('CreateRegionalNetworkPayload', {
  description: 'The new regional network.',
  fields: (f) => ({ regionalNetwork: f.field({ type: RegionalNetworkRef, description: 'The network.' }) }),
});
const HandoffPayload = builder.simpleObject('CreateRegionalHandoffPayload', {
  description: 'The new handoff.',
  fields: (f) => ({ handoff: f.field({ type: HandoffRef, description: 'The handoff.' }) }),
});
const AdministratorPayload = builder.simpleObject('SetRdAdministratorPayload', {
  description: 'The active RD/RT administrator.',
  fields: (f) => ({
    administrator: f.field({ type: RdAdministratorRef, description: 'The administrator.' }),
  }),
});

builder.mutationFields((t) => ({
  createPointOfPresence: t.field({
    type: PopPayload,
    description: 'Declares a backbone point of presence. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('CreatePointOfPresenceInput', {
          description: 'A point of presence.',
          fields: (f) => ({
            code: f.string({ description: 'Its code (letters, digits, -).' }),
            name: f.string({ description: 'Its name.' }),
            city: f.string({ description: 'Its city.' }),
          }),
        }),
        description: 'The point of presence.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({ pop: await createPop(database.db, ctx, input) }),
  }),
  createAccessDevice: t.field({
    type: DevicePayload,
    description: 'Declares an access device (switch-router, PE) at a point of presence. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('CreateAccessDeviceInput', {
          description: 'An access device.',
          fields: (f) => ({
            popId: f.id({ description: 'Its point of presence.' }),
            name: f.string({ description: 'Its name.' }),
            routerId: f.field({ type: 'IPAddress', description: 'Its IPv4 loopback (router id).' }),
          }),
        }),
        description: 'The device.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      device: await createDevice(database.db, ctx, { ...input, popId: String(input.popId) }),
    }),
  }),
  createAccessPort: t.field({
    type: portPayload('CreateAccessPort', 'The new port.'),
    description:
      'Declares an access port: speed, L2 MTU, shared (VLANs) or dedicated (one whole-port circuit), capacity and VLAN ranges. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('CreateAccessPortInput', {
          description: 'An access port.',
          fields: (f) => ({
            deviceId: f.id({ description: 'Its device.' }),
            name: f.string({ description: 'Its interface name.' }),
            speedMbps: f.int({ description: 'Speed: 1000, 10000, 40000 or 100000.' }),
            l2Mtu: f.int({ description: 'L2 MTU (1500–16000).' }),
            dedicated: f.boolean({
              description: 'Dedicated to one whole-port circuit (else shared by VLANs).',
            }),
            capacityMbps: f.int({ required: false, description: 'Capacity offered (default: its speed).' }),
            vlanRanges: f.field({
              type: [RangeInput],
              required: false,
              description: 'Shared ports: its VLAN ranges.',
            }),
          }),
        }),
        description: 'The port.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      port: await createPort(database.db, ctx, {
        deviceId: String(input.deviceId),
        name: input.name,
        speedMbps: input.speedMbps as 1000,
        l2Mtu: input.l2Mtu,
        mode: input.dedicated ? 'dedicated' : 'shared',
        capacityMbps: opt(input.capacityMbps),
        vlanRanges: opt(input.vlanRanges),
      }),
    }),
  }),
  updateAccessPort: t.field({
    type: portPayload('UpdateAccessPort', 'The port after the change.'),
    description:
      'Changes a port’s mode, capacity or L2 MTU; refused while circuits on it need what would change. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('UpdateAccessPortInput', {
          description: 'The change.',
          fields: (f) => ({
            portId: f.id({ description: 'The port.' }),
            dedicated: f.boolean({ required: false, description: 'Dedicated or shared.' }),
            capacityMbps: f.int({ required: false, description: 'Capacity offered.' }),
            l2Mtu: f.int({ required: false, description: 'L2 MTU.' }),
          }),
        }),
        description: 'The change.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      port: await updatePort(database.db, ctx, {
        portId: String(input.portId),
        ...(input.dedicated != null ? { mode: input.dedicated ? 'dedicated' : 'shared' } : {}),
        capacityMbps: opt(input.capacityMbps),
        l2Mtu: opt(input.l2Mtu),
      }),
    }),
  }),
  setVlanRanges: t.field({
    type: portPayload('SetVlanRanges', 'The port with its new ranges.'),
    description:
      'Replaces the VLAN ranges of a port’s scope (a handoff’s are its port’s); VIDs held must stay inside. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      portId: t.arg.id({ description: 'The port (or the handoff’s port).' }),
      ranges: t.arg({ type: [RangeInput], description: 'The ranges.' }),
    },
    resolve: async (_r, { portId, ranges }, { database, ctx }) => ({
      port: await setVlanRanges(database.db, ctx, { portId: String(portId), ranges }),
    }),
  }),
  createRegionalNetwork: t.field({
    type: NetworkPayload,
    description: 'Declares a regional (collecte) network and its operator. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('CreateRegionalNetworkInput', {
          description: 'A regional network.',
          fields: (f) => ({
            name: f.string({ description: 'Its short name.' }),
            operator: f.string({ description: 'Who runs it.' }),
            l2Mtu: f.int({ description: 'Its default L2 MTU.' }),
          }),
        }),
        description: 'The network.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      regionalNetwork: await createRegionalNetwork(database.db, ctx, input),
    }),
  }),
  createRegionalHandoff: t.field({
    type: HandoffPayload,
    description:
      'Declares where a regional network meets the backbone: a shared port, its MTU and whether it translates VIDs. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('CreateRegionalHandoffInput', {
          description: 'A handoff.',
          fields: (f) => ({
            regionalNetworkId: f.id({ description: 'The regional network.' }),
            portId: f.id({ description: 'The shared port.' }),
            name: f.string({ description: 'Its name.' }),
            l2Mtu: f.int({ description: 'Its L2 MTU.' }),
            translation: f.boolean({ required: false, description: 'It translates VIDs.' }),
          }),
        }),
        description: 'The handoff.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      handoff: await createHandoff(database.db, ctx, {
        ...input,
        regionalNetworkId: String(input.regionalNetworkId),
        portId: String(input.portId),
        translation: input.translation ?? false,
      }),
    }),
  }),
  addSiteAccess: t.field({
    type: portPayload('AddSiteAccess', 'The port the site reaches the backbone through.'),
    description:
      'Declares that a member site reaches the backbone through a port (directly, or behind its regional handoff). NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: { siteId: t.arg.id({ description: 'The site.' }), portId: t.arg.id({ description: 'The port.' }) },
    resolve: async (_r, { siteId, portId }, { database, ctx }) => {
      await addSiteAccess(database.db, ctx, { siteId: String(siteId), portId: String(portId) });
      return { port: (await byId(database.db, ports, String(portId)))! };
    },
  }),
  setRdAdministrator: t.field({
    type: AdministratorPayload,
    description:
      'Declares the RD/RT administrator (the operator’s AS or IPv4 address) and the number ranges to assign RDs and RTs from. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('SetRdAdministratorInput', {
          description: 'The administrator and its ranges.',
          fields: (f) => ({
            administrator: f.string({ description: 'The ASN (decimal) or IPv4 address.' }),
            type: f.int({
              required: false,
              description: 'Type 0, 1 or 2 (default: what the administrator implies).',
            }),
            rdFrom: f.float({ description: 'First RD number.' }),
            rdTo: f.float({ description: 'Last RD number.' }),
            rtFrom: f.float({ description: 'First RT number.' }),
            rtTo: f.float({ description: 'Last RT number.' }),
          }),
        }),
        description: 'The administrator.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      administrator: await setRdAdministrator(database.db, ctx, {
        ...input,
        type: opt(input.type) as 0 | undefined,
      }),
    }),
  }),
}));
