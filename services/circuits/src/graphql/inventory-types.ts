import { builder } from '@guichet/graphql';
import { circuitReference } from '../model.js';
import { latestDeviceConfig } from '../service/configs.js';
import {
  byId,
  circuitNumbers,
  devicesOfPop,
  handoffOfPort,
  handoffsOf,
  portsOfDevice,
} from '../service/queries.js';
import type { VpnRouting } from '../service/rdrt-alloc.js';
import { provisioningSheet } from '../service/sheets.js';
import { vlanMap } from '../service/vlan-alloc.js';
import {
  devices,
  type handoffs,
  type pops,
  ports,
  type rdAdministrators,
  regionalNetworks,
} from '../tables.js';
import { parseMultirange, type VidRange } from '../vlans.js';

/** The NOC's inventory as GraphQL types. Reached through staff-only root fields. */

const host = (inet: string) => inet.replace(/\/(32|128)$/, '');

export const VlanRangeRef = builder.simpleObject('VlanRange', {
  description: 'A run of VIDs, both ends included.',
  fields: (t) => ({ from: t.int({ description: 'First VID.' }), to: t.int({ description: 'Last VID.' }) }),
});

const VlanUseRef = builder
  .objectRef<{ vid: number; circuitId: string; cvlans: number[]; reference: string }>('VlanUse')
  .implement({
    description: 'A VID held by a circuit.',
    fields: (t) => ({
      vid: t.exposeInt('vid', { description: 'The VID (the S-VLAN under QinQ).' }),
      circuitId: t.exposeID('circuitId', { description: 'The circuit holding it.' }),
      circuitReference: t.exposeString('reference', { description: 'That circuit’s reference.' }),
      cvlans: t.exposeIntList('cvlans', { description: 'QinQ: the C-VLANs it carries.' }),
    }),
  });

export const VlanMapRef = builder
  .objectRef<{
    ranges: VidRange[];
    used: { vid: number; circuitId: string; cvlans: number[]; reference: string }[];
    free: VidRange[];
  }>('VlanMap')
  .implement({
    description: 'A scope’s VLANs: its ranges, each VID held and by which circuit, and the free runs.',
    fields: (t) => ({
      ranges: t.field({ type: [VlanRangeRef], description: 'The scope’s ranges.', resolve: (m) => m.ranges }),
      used: t.field({ type: [VlanUseRef], description: 'VIDs held, ascending.', resolve: (m) => m.used }),
      free: t.field({ type: [VlanRangeRef], description: 'Free runs, ascending.', resolve: (m) => m.free }),
    }),
  });

async function mapOf(db: Parameters<typeof vlanMap>[0], portId: string) {
  const m = await vlanMap(db, portId);
  if (!m) return null;
  const numbers = await circuitNumbers(
    db,
    m.used.map((u) => u.circuitId),
  );
  return {
    ...m,
    used: m.used.map((u) => ({ ...u, reference: circuitReference(numbers.get(u.circuitId) ?? 0) })),
  };
}

type HandoffRow = typeof handoffs.$inferSelect;
type PortRow = typeof ports.$inferSelect;

export const PortRef = builder.objectRef<PortRow>('AccessPort');
export const HandoffRef = builder.objectRef<HandoffRow>('RegionalHandoff');
export const DeviceRef = builder.objectRef<typeof devices.$inferSelect>('AccessDevice');

PortRef.implement({
  description:
    'An access port of a backbone device: shared by VLANs, or dedicated to one whole-port circuit.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Interface name.' }),
    speedMbps: t.exposeInt('speedMbps', { description: 'Speed, Mbit/s.' }),
    l2Mtu: t.exposeInt('l2Mtu', { description: 'L2 MTU.' }),
    dedicated: t.boolean({
      description: 'Dedicated (one port-to-port or lambda circuit), else shared by VLANs.',
      resolve: (p) => p.mode === 'dedicated',
    }),
    capacityMbps: t.exposeInt('capacityMbps', { description: 'Capacity offered, Mbit/s.' }),
    reservedMbps: t.exposeInt('reservedMbps', { description: 'Held by circuits, Mbit/s.' }),
    remainingMbps: t.int({ description: 'Left, Mbit/s.', resolve: (p) => p.capacityMbps - p.reservedMbps }),
    vlanRanges: t.field({
      type: [VlanRangeRef],
      description: 'Its VLAN ranges (for a handoff port, the handoff’s).',
      resolve: (p) => parseMultirange(p.vlanRanges),
    }),
    vlanMap: t.field({
      type: VlanMapRef,
      nullable: true,
      description: 'Its VLAN map.',
      resolve: (p, _a, { database }) => mapOf(database.db, p.id),
    }),
    handoff: t.field({
      type: HandoffRef,
      nullable: true,
      description: 'The regional handoff on it, if any.',
      resolve: async (p, _a, { database }) => (await handoffOfPort(database.db, p.id)) ?? null,
    }),
    device: t.field({
      type: DeviceRef,
      description: 'Its device.',
      resolve: async (p, _a, { database }) => (await byId(database.db, devices, p.deviceId))!,
    }),
  }),
});

export const RegionalNetworkRef = builder.objectRef<typeof regionalNetworks.$inferSelect>('RegionalNetwork');

HandoffRef.implement({
  description: 'Where a regional (collecte) network meets the backbone: a shared port and its VLAN scope.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    l2Mtu: t.exposeInt('l2Mtu', { description: 'L2 MTU the regional network offers here.' }),
    translation: t.exposeBoolean('translation', {
      description: 'It translates VIDs (backbone VID ≠ regional VID).',
    }),
    port: t.field({
      type: PortRef,
      description: 'Its port.',
      resolve: async (h, _a, { database }) => (await byId(database.db, ports, h.portId))!,
    }),
    regionalNetwork: t.field({
      type: RegionalNetworkRef,
      description: 'Its network.',
      resolve: async (h, _a, { database }) =>
        (await byId(database.db, regionalNetworks, h.regionalNetworkId))!,
    }),
    vlanMap: t.field({
      type: VlanMapRef,
      nullable: true,
      description: 'Its VLAN map (its port’s scope).',
      resolve: (h, _a, { database }) => mapOf(database.db, h.portId),
    }),
  }),
});

RegionalNetworkRef.implement({
  description: 'A regional (collecte) network run by another operator, which extends circuits to the sites.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Its short name (the provider of its segments).' }),
    operator: t.exposeString('operator', { description: 'Who runs it.' }),
    l2Mtu: t.exposeInt('l2Mtu', { description: 'Its default L2 MTU.' }),
    handoffs: t.field({
      type: [HandoffRef],
      description: 'Its handoffs to the backbone.',
      resolve: (n, _a, { database }) => handoffsOf(database.db, n.id),
    }),
  }),
});

export const DeviceConfigRef = builder
  .objectRef<NonNullable<Awaited<ReturnType<typeof latestDeviceConfig>>>>('PeConfig')
  .implement({
    description: 'A generated BIRD configuration of a PE (its L3VPN VRFs), checked by `bird -p`.',
    fields: (t) => ({
      version: t.exposeInt('version', { description: 'Numbered from 1 per device; the latest is current.' }),
      text: t.exposeString('text', { description: 'The configuration.' }),
      hash: t.exposeString('hash', { description: 'SHA-256 (hex) of the text.' }),
      birdOk: t.exposeBoolean('birdOk', { description: '`bird -p` accepted it.' }),
      createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was generated.' }),
    }),
  });

DeviceRef.implement({
  description: 'An access device (switch-router, PE) at a point of presence.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    routerId: t.string({
      description: 'Its loopback (BIRD router id, pseudowire end).',
      resolve: (d) => host(d.routerId),
    }),
    ports: t.field({
      type: [PortRef],
      description: 'Its access ports.',
      resolve: (d, _a, { database }) => portsOfDevice(database.db, d.id),
    }),
    provisioningSheet: t.string({
      description:
        'Its L2 provisioning sheet: every L2 service with an end on it (ports, VIDs, QinQ, MTU, RD/RT, segments), deterministic text.',
      resolve: async (d, _a, { database }) => (await provisioningSheet(database.db, d.id)) ?? '',
    }),
    peConfig: t.field({
      type: DeviceConfigRef,
      nullable: true,
      description: 'Its current BIRD configuration (L3VPN VRFs); null before the first.',
      resolve: async (d, _a, { database }) => (await latestDeviceConfig(database.db, d.id)) ?? null,
    }),
  }),
});

export const PopRef = builder.objectRef<typeof pops.$inferSelect>('PointOfPresence').implement({
  description: 'A backbone point of presence.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    code: t.exposeString('code', { description: 'Its code.' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    city: t.exposeString('city', { description: 'Its city.' }),
    devices: t.field({
      type: [DeviceRef],
      description: 'Its access devices.',
      resolve: (p, _a, { database }) => devicesOfPop(database.db, p.id),
    }),
  }),
});

export const RdAdministratorRef = builder
  .objectRef<typeof rdAdministrators.$inferSelect>('RdAdministrator')
  .implement({
    description: 'Who administers the operator’s RDs and RTs, and the numbers Guichet assigns from.',
    fields: (t) => ({
      type: t.exposeInt('type', { description: 'RD/RT type: 0 (2-byte ASN), 1 (IPv4), 2 (4-byte ASN).' }),
      administrator: t.exposeString('administrator', { description: 'The ASN or IPv4 address.' }),
      rdFrom: t.exposeFloat('rdFrom', { description: 'First RD number.' }),
      rdTo: t.exposeFloat('rdTo', { description: 'Last RD number.' }),
      rtFrom: t.exposeFloat('rtFrom', { description: 'First RT number.' }),
      rtTo: t.exposeFloat('rtTo', { description: 'Last RT number.' }),
    }),
  });

export const PeSessionRef = builder.simpleObject('PeSession', {
  description: 'An L3VPN site’s BGP session with the operator.',
  fields: (t) => ({
    localAddress: t.string({ description: 'The operator’s address.' }),
    peerAddress: t.string({ description: 'The site’s address.' }),
    peerAsn: t.float({ description: 'The site’s AS.' }),
    prefixLimit: t.int({ description: 'Most prefixes accepted (`import limit N action restart`).' }),
  }),
});

const RouteTargetRef = builder.simpleObject('RouteTarget', {
  description: 'A route target of a VPN.',
  fields: (t) => ({
    role: t.string({
      description: '`both` (mesh), or `hub` / `spoke` (the import/export pair of hub-and-spoke).',
    }),
    value: t.string({ description: 'Canonical text (`2200:1001`).' }),
  }),
});

const VrfRef = builder.objectRef<{ deviceId: string; rd: string }>('Vrf').implement({
  description: 'A VPN’s instance on one device, with its own RD.',
  fields: (t) => ({
    rd: t.exposeString('rd', { description: 'Its route distinguisher (unique).' }),
    device: t.field({
      type: DeviceRef,
      description: 'The device.',
      resolve: async (v, _a, { database }) => (await byId(database.db, devices, v.deviceId))!,
    }),
    peConfig: t.field({
      type: DeviceConfigRef,
      nullable: true,
      description: 'The device’s current BIRD configuration.',
      resolve: async (v, _a, { database }) => (await latestDeviceConfig(database.db, v.deviceId)) ?? null,
    }),
  }),
});

export const VpnRoutingRef = builder.objectRef<VpnRouting & { circuitId: string }>('VpnRouting').implement({
  description: 'The routing of a VPN circuit, as the NOC sees it.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: '`l2vpn` (EVPN-VPWS) or `l3vpn`.' }),
    topology: t.exposeString('topology', { description: '`mesh` or `hub_and_spoke`.' }),
    routeTargets: t.field({
      type: [RouteTargetRef],
      description: 'One RT (mesh), or the hub and spoke RTs.',
      resolve: (r) => r.routeTargets,
    }),
    vrfs: t.field({
      type: [VrfRef],
      description: 'Its instance on each device, with the RD.',
      resolve: (r) => r.vrfs,
    }),
  }),
});
