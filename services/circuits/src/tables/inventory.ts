import {
  bigint,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  inet,
  integer,
  pgTable,
  smallint,
  sql,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { sites } from '@guichet/membership';

/**
 * The operator's inventory, declared by the NOC: points of presence, access devices and their
 * ports, the regional (collecte) networks and their handoffs, which ports each member site
 * reaches the backbone through, and the RD/RT administrator. Invariants held by PostgreSQL:
 * - a port is `shared` (VLANs) or `dedicated` (one whole-port circuit), never both: every use
 *   carries the port's mode in a composite foreign key to (id, mode), so a VLAN cannot sit on
 *   a dedicated port, a whole-port circuit cannot take a shared one, and a port in use cannot
 *   change mode;
 * - a port's VLAN ranges are one int4multirange inside 1–4094 (several ranges, never 0 or 4095,
 *   never overlapping), its free VIDs a multirange inside them; its reserved bandwidth never exceeds its capacity, nor its capacity its
 *   speed (CHECKs on a counter kept in the transaction that reserves).
 */

const TS = { withTimezone: true } as const;

/** `{[1,101),[200,301)}`: several VID ranges of one scope, merged and sorted by PostgreSQL. */
export const vidRanges = customType<{ data: string; driverData: string }>({
  dataType: () => 'int4multirange',
});

export const pops = pgTable(
  'circuits_pops',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    city: text('city').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_pops_code', sql`${t.code} ~ '^[A-Za-z][A-Za-z0-9-]{0,31}$'`),
    uniqueIndex('circuits_pops_code_key').on(sql`lower(${t.code})`),
  ],
);

export const devices = pgTable(
  'circuits_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    popId: uuid('pop_id')
      .notNull()
      .references(() => pops.id),
    name: text('name').notNull(),
    /** Loopback: BIRD's router id on the PE, the pseudowire end of L2VPNs. */
    routerId: inet('router_id').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_devices_name', sql`${t.name} ~ '^[A-Za-z][A-Za-z0-9._-]{0,62}$'`),
    check('circuits_devices_router_id', sql`family(${t.routerId}) = 4 AND masklen(${t.routerId}) = 32`),
    uniqueIndex('circuits_devices_name_key').on(sql`lower(${t.name})`),
    uniqueIndex('circuits_devices_router_id_key').on(t.routerId),
  ],
);

export const ports = pgTable(
  'circuits_ports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id),
    name: text('name').notNull(),
    speedMbps: integer('speed_mbps').notNull(),
    l2Mtu: integer('l2_mtu').notNull(),
    mode: text('mode').notNull(),
    /** What the operator sells on the port (Mbit/s); at most its speed. */
    capacityMbps: integer('capacity_mbps').notNull(),
    /** Sum of the bandwidth of the circuits holding it, kept in the reserving transaction. */
    reservedMbps: integer('reserved_mbps').notNull().default(0),
    /** VLAN ranges of the port's scope (shared ports; for a handoff port, the handoff's). */
    vlanRanges: vidRanges('vlan_ranges').notNull().default(sql`'{}'::int4multirange`),
    /**
     * The free VIDs of the scope (its ranges minus the VIDs held), maintained under the port's
     * lock by every allocation and release: the next VID is `lower(vlan_free)`, one read, not a
     * scan of the held VIDs. The unique key on (port, vid) stays the backstop.
     */
    vlanFree: vidRanges('vlan_free').notNull().default(sql`'{}'::int4multirange`),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_ports_speed', sql`${t.speedMbps} IN (1000, 10000, 40000, 100000)`),
    check('circuits_ports_l2_mtu', sql`${t.l2Mtu} BETWEEN 1500 AND 16000`),
    check('circuits_ports_mode', sql`${t.mode} IN ('shared', 'dedicated')`),
    check('circuits_ports_capacity', sql`${t.capacityMbps} BETWEEN 1 AND ${t.speedMbps}`),
    check('circuits_ports_reserved', sql`${t.reservedMbps} BETWEEN 0 AND ${t.capacityMbps}`),
    check(
      'circuits_ports_vlan_ranges',
      sql`${t.vlanRanges} <@ int4multirange(int4range(1, 4094, '[]')) AND (${t.mode} = 'shared' OR ${t.vlanRanges} = '{}'::int4multirange)`,
    ),
    check('circuits_ports_vlan_free', sql`${t.vlanFree} <@ ${t.vlanRanges}`),
    check('circuits_ports_name', sql`${t.name} ~ '^[A-Za-z0-9][A-Za-z0-9/:._-]{0,62}$'`),
    uniqueIndex('circuits_ports_name_key').on(t.deviceId, sql`lower(${t.name})`),
    // Target of the (port, mode) foreign keys of every use of a port.
    unique('circuits_ports_id_mode_key').on(t.id, t.mode),
  ],
);

export const regionalNetworks = pgTable(
  'circuits_regional_networks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Its short name, the provider of its segments (`SYRHANO`). */
    name: text('name').notNull(),
    /** Who runs it: the regional operator. */
    operator: text('operator').notNull(),
    /** The L2 MTU it offers unless a handoff or segment says otherwise. */
    l2Mtu: integer('l2_mtu').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_regional_networks_l2_mtu', sql`${t.l2Mtu} BETWEEN 1500 AND 16000`),
    check('circuits_regional_networks_name', sql`${t.name} ~ '^[A-Za-z][A-Za-z0-9_-]{0,31}$'`),
    uniqueIndex('circuits_regional_networks_name_key').on(sql`lower(${t.name})`),
  ],
);

/** Where a regional network meets the backbone: a shared port (one handoff per port). */
export const handoffs = pgTable(
  'circuits_handoffs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    regionalNetworkId: uuid('regional_network_id')
      .notNull()
      .references(() => regionalNetworks.id),
    portId: uuid('port_id').notNull(),
    portMode: text('port_mode').notNull().default('shared'),
    name: text('name').notNull(),
    l2Mtu: integer('l2_mtu').notNull(),
    /** The handoff translates VIDs (backbone VID ≠ regional VID, NetBox's VLAN translation). */
    translation: boolean('translation').notNull().default(false),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_handoffs_port_mode', sql`${t.portMode} = 'shared'`),
    check('circuits_handoffs_l2_mtu', sql`${t.l2Mtu} BETWEEN 1500 AND 16000`),
    foreignKey({
      name: 'circuits_handoffs_port_mode_fkey',
      columns: [t.portId, t.portMode],
      foreignColumns: [ports.id, ports.mode],
    }),
    uniqueIndex('circuits_handoffs_port_key').on(t.portId),
    uniqueIndex('circuits_handoffs_name_key').on(t.regionalNetworkId, sql`lower(${t.name})`),
  ],
);

/** A member site reaches the backbone through this port (directly, or behind its handoff). */
export const siteAccess = pgTable(
  'circuits_site_access',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    portId: uuid('port_id')
      .notNull()
      .references(() => ports.id),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('circuits_site_access_key').on(t.siteId, t.portId),
    index('circuits_site_access_port').on(t.portId),
  ],
);

/**
 * The RD/RT administrator (the operator's AS, or its IPv4 address) and the number ranges
 * Guichet assigns from; one active at a time. Ranges within the type's limits (pure check in
 * rd-rt.ts, backstop here).
 */
export const rdAdministrators = pgTable(
  'circuits_rd_administrators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    type: smallint('type').notNull(),
    administrator: text('administrator').notNull(),
    rdFrom: bigint('rd_from', { mode: 'number' }).notNull(),
    rdTo: bigint('rd_to', { mode: 'number' }).notNull(),
    rtFrom: bigint('rt_from', { mode: 'number' }).notNull(),
    rtTo: bigint('rt_to', { mode: 'number' }).notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('circuits_rd_administrators_type', sql`${t.type} IN (0, 1, 2)`),
    check(
      'circuits_rd_administrators_ranges',
      sql`0 <= ${t.rdFrom} AND ${t.rdFrom} <= ${t.rdTo} AND 0 <= ${t.rtFrom} AND ${t.rtFrom} <= ${t.rtTo} AND greatest(${t.rdTo}, ${t.rtTo}) <= CASE ${t.type} WHEN 0 THEN 4294967295 ELSE 65535 END`,
    ),
    uniqueIndex('circuits_rd_administrators_active_key').on(t.active).where(sql`${t.active}`),
  ],
);
