import {
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  inet,
  integer,
  jsonb,
  pgTable,
  real,
  smallint,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { institutions, sites as membershipSites } from '@guichet/membership';
import type { LangText } from './model.js';

/**
 * eduroam. Invariants held by PostgreSQL:
 * - realms: no two live realms overlap (the exact name, or with subrealms the whole subtree:
 *   exclusion constraint over a text range in byte order, custom migration), and no two live
 *   realms have overlapping look-alike skeletons (the same constraint over `skeleton_key`);
 *   stored lower case;
 * - servers: one live server per address (it is the proxy's client identity), so one home
 *   server per ip:port;
 * - secrets: never two alike, ever (unique keyed fingerprint over every secret issued), at most
 *   one current and one next secret per server;
 * - sites: SSID `eduroam`, AES only, allowed tags, at least one access point (CHECKs repeating
 *   rules.ts, so no path writes a site the policy refuses).
 */

const TS = { withTimezone: true } as const;

export interface ContactJson {
  name: string;
  email: string;
  phone: string;
  kind: 'person' | 'service';
  public: boolean;
}

/** What an institution says about itself in the eduroam database (defaults come from membership). */
export const profiles = pgTable('eduroam_profiles', {
  institutionId: uuid('institution_id')
    .primaryKey()
    .references(() => institutions.id),
  names: jsonb('names').$type<LangText[]>(),
  infoUrls: jsonb('info_urls').$type<LangText[]>().notNull().default(sql`'[]'::jsonb`),
  policyUrls: jsonb('policy_urls').$type<LangText[]>().notNull().default(sql`'[]'::jsonb`),
  venue: text('venue'),
  lon: doublePrecision('lon'),
  lat: doublePrecision('lat'),
  /** Whether the eduroam contact may appear in public views (the database's `privacy` = 1). */
  contactPublic: boolean('contact_public').notNull().default(false),
  production: boolean('production').notNull().default(true),
  updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
});

export const realms = pgTable(
  'eduroam_realms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    realm: text('realm').notNull(),
    /** Labels reversed with a trailing dot (`example.univ-a.`): ancestors are string prefixes. */
    realmKey: text('realm_key').notNull(),
    /** The same for the realm's look-alike skeleton (model.ts `skeletonOf`). */
    skeletonKey: text('skeleton_key').notNull(),
    subrealms: boolean('subrealms').notNull(),
    /** pending (waiting for its DNS proof) → active → removed. */
    state: text('state').notNull().default('pending'),
    /** The TXT record found, where, and when (the proof). */
    proof: jsonb('proof').$type<{ name: string; value: string; soa: string | null }>(),
    provedAt: timestamp('proved_at', TS),
    requestId: uuid('request_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    removedAt: timestamp('removed_at', TS),
  },
  (t) => [
    check('eduroam_realms_state', sql`${t.state} IN ('pending', 'active', 'removed')`),
    check('eduroam_realms_lower', sql`${t.realm} ~ '^[a-z0-9][a-z0-9.-]*[a-z0-9]$'`),
    check('eduroam_realms_proved', sql`${t.state} <> 'active' OR ${t.provedAt} IS NOT NULL`),
    index('eduroam_realms_institution').on(t.institutionId, t.state),
  ],
);

export const servers = pgTable(
  'eduroam_servers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    address: inet('address').notNull(),
    port: integer('port').notNull().default(1812),
    /** udp (RADIUS, shared secret) or tls (RadSec, RFC 6614). */
    transport: text('transport').notNull().default('udp'),
    state: text('state').notNull().default('active'),
    /** unknown (never probed), up, down (DOWN_AFTER failures in a row). */
    probeState: text('probe_state').notNull().default('unknown'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    lastProbeAt: timestamp('last_probe_at', TS),
    lastOkAt: timestamp('last_ok_at', TS),
    firstOkAt: timestamp('first_ok_at', TS),
    lastRttMs: real('last_rtt_ms'),
    lastError: text('last_error'),
    /** The open `eduroam.serverDown` request of the current outage (one per outage). */
    downRequestId: uuid('down_request_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    removedAt: timestamp('removed_at', TS),
  },
  (t) => [
    check('eduroam_servers_state', sql`${t.state} IN ('active', 'removed')`),
    check('eduroam_servers_transport', sql`${t.transport} IN ('udp', 'tls')`),
    check('eduroam_servers_probe_state', sql`${t.probeState} IN ('unknown', 'up', 'down')`),
    check('eduroam_servers_port', sql`${t.port} BETWEEN 1 AND 65535`),
    check(
      'eduroam_servers_host',
      sql`masklen(${t.address}) = CASE WHEN family(${t.address}) = 4 THEN 32 ELSE 128 END`,
    ),
    // One live server per address: the proxy knows its clients by source address.
    uniqueIndex('eduroam_servers_address_key').on(t.address).where(sql`${t.state} <> 'removed'`),
    index('eduroam_servers_institution').on(t.institutionId, t.state),
  ],
);

/**
 * Every shared secret ever issued, sealed (AES-256-GCM under SECRETS_KEY, bound to its row id).
 * A server has one `current` secret and, during a rotation, one `next` (both valid until the
 * overlap ends); replaced ones are `retired` and never come back (unique fingerprint).
 */
export const secrets = pgTable(
  'eduroam_secrets',
  {
    id: uuid('id').primaryKey(),
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    sealed: text('sealed').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: text('status').notNull(),
    createdAt: timestamp('created_at', TS).notNull(),
    /** A next secret's overlap end: by then the server has switched, or the switch is forced. */
    validUntil: timestamp('valid_until', TS),
    activatedAt: timestamp('activated_at', TS),
    retiredAt: timestamp('retired_at', TS),
  },
  (t) => [
    check('eduroam_secrets_status', sql`${t.status} IN ('current', 'next', 'retired')`),
    check('eduroam_secrets_next_until', sql`${t.status} <> 'next' OR ${t.validUntil} IS NOT NULL`),
    uniqueIndex('eduroam_secrets_fingerprint_key').on(t.fingerprint),
    uniqueIndex('eduroam_secrets_one_current').on(t.serverId).where(sql`${t.status} = 'current'`),
    uniqueIndex('eduroam_secrets_one_next').on(t.serverId).where(sql`${t.status} = 'next'`),
  ],
);

/** One Status-Server probe of one server (kept EDUROAM_PROBE_RETENTION_DAYS). */
export const probes = pgTable(
  'eduroam_probes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    serverId: uuid('server_id')
      .notNull()
      .references(() => servers.id),
    at: timestamp('at', TS).notNull(),
    ok: boolean('ok').notNull(),
    rttMs: real('rtt_ms'),
    /** ok, timeout ("down or wrong secret"), error (could not send). */
    outcome: text('outcome').notNull(),
    /** Which secret answered (or was tried last): current or next. */
    secret: text('secret').notNull().default('current'),
    detail: text('detail'),
  },
  (t) => [
    check('eduroam_probes_outcome', sql`${t.outcome} IN ('ok', 'timeout', 'error')`),
    index('eduroam_probes_server_at').on(t.serverId, t.at),
    index('eduroam_probes_at').on(t.at),
  ],
);

export const sites = pgTable(
  'eduroam_sites',
  {
    /** Also the eduroam database `locationid` (hex of the UUID): stable for the site's life. */
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    membershipSiteId: uuid('membership_site_id').references(() => membershipSites.id),
    names: jsonb('names').$type<LangText[]>().notNull(),
    street: jsonb('street').$type<LangText[]>().notNull(),
    city: jsonb('city').$type<LangText[]>().notNull(),
    lon: doublePrecision('lon').notNull(),
    lat: doublePrecision('lat').notNull(),
    ssid: text('ssid').notNull().default('eduroam'),
    encryption: text('encryption').array().notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    accessPoints: integer('access_points').notNull(),
    wiredPorts: integer('wired_ports').notNull().default(0),
    /** 0 single spot, 1 area, 2 mobile. */
    kind: smallint('kind').notNull().default(0),
    venue: text('venue'),
    /** 0 no restriction, 1 physical access restricted. */
    availability: smallint('availability').notNull().default(0),
    operationHours: text('operation_hours'),
    operatorName: text('operator_name'),
    infoUrls: jsonb('info_urls').$type<LangText[]>().notNull().default(sql`'[]'::jsonb`),
    contact: jsonb('contact').$type<ContactJson>(),
    production: boolean('production').notNull().default(true),
    state: text('state').notNull().default('active'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
    removedAt: timestamp('removed_at', TS),
  },
  (t) => [
    check('eduroam_sites_state', sql`${t.state} IN ('active', 'removed')`),
    check('eduroam_sites_ssid', sql`${t.ssid} = 'eduroam'`),
    check(
      'eduroam_sites_encryption',
      sql`cardinality(${t.encryption}) >= 1 AND ${t.encryption} <@ ARRAY['WPA2/AES', 'WPA3/AES']::text[]`,
    ),
    check(
      'eduroam_sites_tags',
      sql`${t.tags} <@ ARRAY['port_restrict', 'transp_proxy', 'IPv6', 'NAT', 'HS2.0']::text[]`,
    ),
    check('eduroam_sites_access_points', sql`${t.accessPoints} >= 1`),
    check('eduroam_sites_wired', sql`${t.wiredPorts} >= 0`),
    check('eduroam_sites_kind', sql`${t.kind} BETWEEN 0 AND 2`),
    check('eduroam_sites_availability', sql`${t.availability} IN (0, 1)`),
    check('eduroam_sites_point', sql`${t.lon} BETWEEN -180 AND 180 AND ${t.lat} BETWEEN -90 AND 90`),
    index('eduroam_sites_institution').on(t.institutionId, t.state),
  ],
);

/** Each attempt to put a generated configuration in front of the national proxy. */
export const publications = pgTable(
  'eduroam_proxy_publications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', TS).notNull(),
    hash: text('hash').notNull(),
    /** deployed, unchanged (already live), refused (-XC), rolled_back (did not answer after restart), failed. */
    status: text('status').notNull(),
    release: text('release'),
    errors: jsonb('errors').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    checkMs: integer('check_ms'),
    institutions: integer('institutions').notNull().default(0),
    servers: integer('servers').notNull().default(0),
    realms: integer('realms').notNull().default(0),
    requestId: text('request_id'),
  },
  (t) => [
    check(
      'eduroam_publications_status',
      sql`${t.status} IN ('deployed', 'unchanged', 'refused', 'rolled_back', 'failed')`,
    ),
    index('eduroam_publications_at').on(t.at),
  ],
);

/** The one row publishers lock before swapping the live configuration (serialises swaps only). */
export const proxyState = pgTable(
  'eduroam_proxy_state',
  {
    id: smallint('id').primaryKey().default(1),
    deployedHash: text('deployed_hash'),
    deployedAt: timestamp('deployed_at', TS),
    release: text('release'),
  },
  (t) => [check('eduroam_proxy_state_one', sql`${t.id} = 1`)],
);
