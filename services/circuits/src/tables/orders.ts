import {
  bigint,
  boolean,
  check,
  cidr,
  foreignKey,
  index,
  inet,
  integer,
  pgTable,
  serial,
  sql,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { institutions, sites } from '@guichet/membership';
import { devices, handoffs, ports, rdAdministrators, regionalNetworks } from './inventory.js';

/**
 * Circuits and what they hold. Invariants held by PostgreSQL:
 * - VLAN allocation: one row per (port, VID), VID in 1–4094, only on shared ports (composite FK
 *   to the port's mode); allocation locks the port row first, the unique key is the backstop;
 * - QinQ: an S-VLAN's C-VLAN set is unique per (S-VLAN, C-VID);
 * - a dedicated port carries one live attachment (partial unique index): "the whole port";
 * - a regional segment is unique per (provider, provider's circuit id);
 * - one RD per VRF and RDs unique; a VPN has one RT (mesh) or a hub/spoke pair, RT values
 *   unique — the role is tied to the VPN's topology by a composite FK and a CHECK;
 * - the circuit's technology matches its need (L3VPN ⇔ IP; L2 ⇒ point-to-point; backup ⇒
 *   point-to-point) and is set from the design on.
 */

const TS = { withTimezone: true } as const;

export const circuits = pgTable(
  'circuits_circuits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Sequence behind the reference `CIR-000042`. */
    number: serial('number').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** The `circuits.order` request that made it. */
    requestId: uuid('request_id').notNull(),
    name: text('name').notNull(),
    topology: text('topology').notNull(),
    service: text('service').notNull(),
    bandwidthMbps: integer('bandwidth_mbps').notNull(),
    backup: boolean('backup').notNull().default(false),
    ipv6: boolean('ipv6').notNull().default(false),
    multicast: boolean('multicast').notNull().default(false),
    technology: text('technology'),
    payloadMtu: integer('payload_mtu'),
    state: text('state').notNull().default('requested'),
    wantedFrom: timestamp('wanted_from', TS),
    wantedUntil: timestamp('wanted_until', TS),
    designedAt: timestamp('designed_at', TS),
    activatedAt: timestamp('activated_at', TS),
    terminatedAt: timestamp('terminated_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_circuits_topology', sql`${t.topology} IN ('p2p', 'multipoint')`),
    check('circuits_circuits_service', sql`${t.service} IN ('ethernet', 'ip')`),
    check(
      'circuits_circuits_technology',
      sql`${t.technology} IS NULL OR ${t.technology} IN ('l2vpn_vlan', 'l2vpn_port', 'l3vpn', 'lambda')`,
    ),
    check(
      'circuits_circuits_state',
      sql`${t.state} IN ('requested', 'provisioning', 'active', 'disabled', 'terminated')`,
    ),
    check('circuits_circuits_bandwidth', sql`${t.bandwidthMbps} BETWEEN 1 AND 100000`),
    check(
      'circuits_circuits_payload_mtu',
      sql`${t.payloadMtu} IS NULL OR ${t.payloadMtu} BETWEEN 576 AND 16000`,
    ),
    check(
      'circuits_circuits_designed',
      sql`(${t.technology} IS NULL) = (${t.designedAt} IS NULL) AND (${t.state} <> 'requested' OR ${t.technology} IS NULL) AND (${t.state} IN ('requested', 'terminated') OR ${t.technology} IS NOT NULL)`,
    ),
    check(
      'circuits_circuits_need',
      sql`(${t.technology} IS NULL OR (${t.technology} = 'l3vpn') = (${t.service} = 'ip')) AND (${t.technology} IS NULL OR ${t.technology} = 'l3vpn' OR ${t.topology} = 'p2p') AND (NOT ${t.backup} OR ${t.topology} = 'p2p') AND (${t.topology} = 'p2p' OR ${t.service} = 'ip')`,
    ),
    uniqueIndex('circuits_circuits_number_key').on(t.number),
    index('circuits_circuits_institution').on(t.institutionId),
    index('circuits_circuits_request').on(t.requestId),
  ],
);

/** A site at one end of a circuit: the filer's own, or another institution's with its consent. */
export const endpoints = pgTable(
  'circuits_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    circuitId: uuid('circuit_id')
      .notNull()
      .references(() => circuits.id),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    consent: text('consent').notNull(),
    consentBy: text('consent_by'),
    consentAt: timestamp('consent_at', TS),
    consentReason: text('consent_reason'),
    prefixLimit: integer('prefix_limit'),
    prefixes: cidr('prefixes').array().notNull().default(sql`'{}'::cidr[]`),
    /** The site's own VLANs it wants carried (the need). */
    vlans: integer('vlans').array().notNull().default(sql`'{}'::int[]`),
    hub: boolean('hub').notNull().default(false),
    /** The request that added it (the order, or a member change). */
    requestId: uuid('request_id').notNull(),
    removedAt: timestamp('removed_at', TS),
    removedRequestId: uuid('removed_request_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_endpoints_consent', sql`${t.consent} IN ('own', 'pending', 'given', 'refused')`),
    check(
      'circuits_endpoints_prefix_limit',
      sql`${t.prefixLimit} IS NULL OR ${t.prefixLimit} BETWEEN 1 AND 1000000`,
    ),
    uniqueIndex('circuits_endpoints_site_key').on(t.circuitId, t.siteId).where(sql`${t.removedAt} IS NULL`),
    index('circuits_endpoints_circuit').on(t.circuitId),
    index('circuits_endpoints_institution').on(t.institutionId),
  ],
);

/** An endpoint's use of an access port on one path (primary, or the backup). */
export const attachments = pgTable(
  'circuits_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    circuitId: uuid('circuit_id')
      .notNull()
      .references(() => circuits.id),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => endpoints.id),
    path: text('path').notNull(),
    portId: uuid('port_id').notNull(),
    portMode: text('port_mode').notNull(),
    /** `vlan`: one VLAN on a shared port; `port`: the whole dedicated port. */
    use: text('use').notNull(),
    /** Lambda on a dedicated port: the VLAN handed to the site (not allocated from a scope). */
    portVid: integer('port_vid'),
    /** Bandwidth held on the port (added to its reserved counter). */
    reservedMbps: integer('reserved_mbps').notNull(),
    /** Tags on the customer's frames at the access (S-VLAN, + C-VLAN under QinQ). */
    tags: integer('tags').notNull(),
    bgpLocal: inet('bgp_local'),
    bgpPeer: inet('bgp_peer'),
    peerAsn: bigint('peer_asn', { mode: 'number' }),
    prefixLimit: integer('prefix_limit'),
    /** The site's router is not directly connected (eBGP multihop), and non-179 ports if any. */
    bgpMultihop: boolean('bgp_multihop').notNull().default(false),
    bgpLocalPort: integer('bgp_local_port'),
    bgpPeerPort: integer('bgp_peer_port'),
    releasedAt: timestamp('released_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_attachments_path', sql`${t.path} IN ('primary', 'backup')`),
    check(
      'circuits_attachments_use',
      sql`(${t.use} = 'vlan' AND ${t.portMode} = 'shared' AND ${t.portVid} IS NULL) OR (${t.use} = 'port' AND ${t.portMode} = 'dedicated')`,
    ),
    check(
      'circuits_attachments_bgp_ports',
      sql`(${t.bgpLocalPort} IS NULL OR ${t.bgpLocalPort} BETWEEN 1 AND 65535) AND (${t.bgpPeerPort} IS NULL OR ${t.bgpPeerPort} BETWEEN 1 AND 65535)`,
    ),
    check('circuits_attachments_port_vid', sql`${t.portVid} IS NULL OR ${t.portVid} BETWEEN 1 AND 4094`),
    check(
      'circuits_attachments_bgp',
      sql`(${t.bgpPeer} IS NULL) = (${t.peerAsn} IS NULL) AND (${t.bgpPeer} IS NULL) = (${t.prefixLimit} IS NULL) AND (${t.bgpPeer} IS NULL OR family(${t.bgpPeer}) = 4) AND (${t.prefixLimit} IS NULL OR ${t.prefixLimit} BETWEEN 1 AND 1000000)`,
    ),
    foreignKey({
      name: 'circuits_attachments_port_mode_fkey',
      columns: [t.portId, t.portMode],
      foreignColumns: [ports.id, ports.mode],
    }),
    uniqueIndex('circuits_attachments_endpoint_key')
      .on(t.endpointId, t.path)
      .where(sql`${t.releasedAt} IS NULL`),
    // The whole port: a dedicated port carries one live attachment.
    uniqueIndex('circuits_attachments_dedicated_key')
      .on(t.portId)
      .where(sql`${t.portMode} = 'dedicated' AND ${t.releasedAt} IS NULL`),
    index('circuits_attachments_circuit').on(t.circuitId),
    index('circuits_attachments_port').on(t.portId),
  ],
);

/** One allocated VID of a shared port's scope (an S-VLAN when it carries C-VLANs). */
export const vlans = pgTable(
  'circuits_vlans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    portId: uuid('port_id').notNull(),
    portMode: text('port_mode').notNull().default('shared'),
    vid: integer('vid').notNull(),
    circuitId: uuid('circuit_id')
      .notNull()
      .references(() => circuits.id),
    attachmentId: uuid('attachment_id').references(() => attachments.id),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_vlans_vid', sql`${t.vid} BETWEEN 1 AND 4094`),
    check('circuits_vlans_port_mode', sql`${t.portMode} = 'shared'`),
    foreignKey({
      name: 'circuits_vlans_port_mode_fkey',
      columns: [t.portId, t.portMode],
      foreignColumns: [ports.id, ports.mode],
    }),
    unique('circuits_vlans_port_vid_key').on(t.portId, t.vid),
    index('circuits_vlans_circuit').on(t.circuitId),
    uniqueIndex('circuits_vlans_attachment_key').on(t.attachmentId),
  ],
);

/** QinQ: the C-VLAN set an S-VLAN carries, unique per (S, C). */
export const cvlans = pgTable(
  'circuits_cvlans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vlanId: uuid('vlan_id')
      .notNull()
      .references(() => vlans.id, { onDelete: 'cascade' }),
    cvid: integer('cvid').notNull(),
  },
  (t) => [
    check('circuits_cvlans_cvid', sql`${t.cvid} BETWEEN 1 AND 4094`),
    unique('circuits_cvlans_key').on(t.vlanId, t.cvid),
  ],
);

/** A regional (collecte) segment: a provider circuit of the regional operator. */
export const segments = pgTable(
  'circuits_segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    circuitId: uuid('circuit_id')
      .notNull()
      .references(() => circuits.id),
    attachmentId: uuid('attachment_id')
      .notNull()
      .references(() => attachments.id),
    regionalNetworkId: uuid('regional_network_id')
      .notNull()
      .references(() => regionalNetworks.id),
    handoffId: uuid('handoff_id')
      .notNull()
      .references(() => handoffs.id),
    /** The regional operator's id of its circuit (NetBox's `cid`). */
    providerCircuitId: text('provider_circuit_id'),
    /** The regional operator's ticket or order reference. */
    operatorReference: text('operator_reference'),
    /** The VID on the backbone side of the handoff (the attachment's VLAN). */
    localVid: integer('local_vid').notNull(),
    /** The VID on the regional side (translated by the handoff, else equal). */
    remoteVid: integer('remote_vid').notNull(),
    extraTags: integer('extra_tags').notNull().default(0),
    l2Mtu: integer('l2_mtu').notNull(),
    state: text('state').notNull().default('requested'),
    orderedAt: timestamp('ordered_at', TS),
    orderedBy: text('ordered_by'),
    activatedAt: timestamp('activated_at', TS),
    activatedBy: text('activated_by'),
    terminatedAt: timestamp('terminated_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_segments_state', sql`${t.state} IN ('requested', 'ordered', 'active', 'terminated')`),
    check(
      'circuits_segments_vids',
      sql`${t.localVid} BETWEEN 1 AND 4094 AND ${t.remoteVid} BETWEEN 1 AND 4094`,
    ),
    check('circuits_segments_tags', sql`${t.extraTags} BETWEEN 0 AND 2`),
    check('circuits_segments_l2_mtu', sql`${t.l2Mtu} BETWEEN 1500 AND 16000`),
    check(
      'circuits_segments_active',
      sql`${t.state} NOT IN ('ordered', 'active') OR (${t.providerCircuitId} IS NOT NULL AND ${t.operatorReference} IS NOT NULL)`,
    ),
    unique('circuits_segments_provider_cid_key').on(t.regionalNetworkId, t.providerCircuitId),
    uniqueIndex('circuits_segments_attachment_key').on(t.attachmentId).where(sql`${t.state} <> 'terminated'`),
    index('circuits_segments_circuit').on(t.circuitId),
  ],
);

/** The routing instance of a VPN circuit (EVPN-VPWS for L2VPN, a VRF per device for L3VPN). */
export const vpns = pgTable(
  'circuits_vpns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    circuitId: uuid('circuit_id')
      .notNull()
      .references(() => circuits.id),
    kind: text('kind').notNull(),
    topology: text('topology').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_vpns_kind', sql`${t.kind} IN ('l2vpn', 'l3vpn')`),
    check('circuits_vpns_topology', sql`${t.topology} IN ('mesh', 'hub_and_spoke')`),
    uniqueIndex('circuits_vpns_circuit_key').on(t.circuitId),
    unique('circuits_vpns_id_topology_key').on(t.id, t.topology),
  ],
);

/** One RT per mesh VPN, or the hub and spoke RTs (the import/export pair) of a hub-and-spoke. */
export const routeTargets = pgTable(
  'circuits_route_targets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vpnId: uuid('vpn_id').notNull(),
    vpnTopology: text('vpn_topology').notNull(),
    role: text('role').notNull(),
    value: text('value').notNull(),
    administratorId: uuid('administrator_id')
      .notNull()
      .references(() => rdAdministrators.id),
    number: bigint('number', { mode: 'number' }).notNull(),
  },
  (t) => [
    check(
      'circuits_route_targets_role',
      sql`(${t.vpnTopology} = 'mesh' AND ${t.role} = 'both') OR (${t.vpnTopology} = 'hub_and_spoke' AND ${t.role} IN ('hub', 'spoke'))`,
    ),
    check('circuits_route_targets_value', sql`length(${t.value}) <= 21`),
    foreignKey({
      name: 'circuits_route_targets_vpn_topology_fkey',
      columns: [t.vpnId, t.vpnTopology],
      foreignColumns: [vpns.id, vpns.topology],
    }).onDelete('cascade'),
    uniqueIndex('circuits_route_targets_value_key').on(t.value),
    unique('circuits_route_targets_number_key').on(t.administratorId, t.number),
    unique('circuits_route_targets_role_key').on(t.vpnId, t.role),
  ],
);

/** A VPN's instance on one device, with its own RD (unique). */
export const vrfs = pgTable(
  'circuits_vrfs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vpnId: uuid('vpn_id')
      .notNull()
      .references(() => vpns.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id),
    rd: text('rd').notNull(),
    administratorId: uuid('administrator_id')
      .notNull()
      .references(() => rdAdministrators.id),
    number: bigint('number', { mode: 'number' }).notNull(),
  },
  (t) => [
    check('circuits_vrfs_rd', sql`length(${t.rd}) <= 21`),
    uniqueIndex('circuits_vrfs_rd_key').on(t.rd),
    unique('circuits_vrfs_number_key').on(t.administratorId, t.number),
    unique('circuits_vrfs_device_key').on(t.vpnId, t.deviceId),
    index('circuits_vrfs_device').on(t.deviceId),
  ],
);

/** Every generated BIRD configuration of a PE, with its `bird -p` verdict; the latest is current. */
export const deviceConfigs = pgTable(
  'circuits_device_configs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id),
    version: integer('version').notNull(),
    text: text('text').notNull(),
    hash: text('hash').notNull(),
    birdOk: boolean('bird_ok').notNull(),
    birdErrors: text('bird_errors').array().notNull().default(sql`'{}'::text[]`),
    requestId: uuid('request_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_device_configs_version', sql`${t.version} >= 1`),
    unique('circuits_device_configs_version_key').on(t.deviceId, t.version),
  ],
);
