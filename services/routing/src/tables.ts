import {
  bigint,
  boolean,
  check,
  cidr,
  index,
  inet,
  integer,
  pgTable,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { institutions } from '@guichet/membership';

/**
 * Routing. Invariants held by PostgreSQL (custom migration `routing_exclusion`):
 * - a prefix is announced for at most one institution: two announcements of DIFFERENT
 *   institutions never overlap (GiST EXCLUDE on `prefix &&` and `owner <>`, where `owner` is
 *   the institution id written as an IPv6 address, so that inet_ops serves both columns and
 *   no btree_gist extension is needed). One institution may announce a prefix and a
 *   more-specific of it (traffic engineering); the same prefix twice is a unique violation;
 * - one current collector and session per institution (primary key of routing_institutions),
 *   and the session is one of that collector's (composite foreign key);
 * - config versions are numbered per collector without gaps or duplicates (unique key).
 */

const TS = { withTimezone: true } as const;

export const collectors = pgTable(
  'routing_collectors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    asn: bigint('asn', { mode: 'number' }).notNull(),
    routerId: inet('router_id').notNull(),
    region: text('region').notNull(),
    /**
     * Where the collector's BIRD runs, for deployment: the configuration file it loads and its
     * control socket (birdc). Both null: configurations are generated and stored, and the NOC
     * deploys them (the API says so on each version).
     */
    birdConfigPath: text('bird_config_path'),
    birdSocket: text('bird_socket'),
    /** Its announcements changed since its latest configuration version. */
    needsRender: boolean('needs_render').notNull().default(false),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('routing_collectors_deploy', sql`(${t.birdConfigPath} IS NULL) = (${t.birdSocket} IS NULL)`),
    check('routing_collectors_asn', sql`${t.asn} BETWEEN 1 AND 4294967295`),
    check('routing_collectors_router_id', sql`family(${t.routerId}) = 4 AND masklen(${t.routerId}) = 32`),
    check('routing_collectors_name', sql`${t.name} ~ '^[A-Za-z][A-Za-z0-9_-]{0,62}$'`),
    uniqueIndex('routing_collectors_name_key').on(sql`lower(${t.name})`),
  ],
);

/** Points of presence of a collector (where institutions' routers connect). */
export const pops = pgTable(
  'routing_pops',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    collectorId: uuid('collector_id')
      .notNull()
      .references(() => collectors.id),
    name: text('name').notNull(),
    city: text('city'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('routing_pops_name_key').on(t.collectorId, t.name)],
);

/** BGP sessions of a collector on which institutions' prefixes are learned. */
export const sessions = pgTable(
  'routing_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    collectorId: uuid('collector_id')
      .notNull()
      .references(() => collectors.id),
    popId: uuid('pop_id').references(() => pops.id),
    name: text('name').notNull(),
    peerAddress: inet('peer_address').notNull(),
    localAddress: inet('local_address'),
    /** TCP ports of the session (BIRD `local … port`, `neighbor … port`); null = BGP's 179. */
    localPort: integer('local_port'),
    peerPort: integer('peer_port'),
    /** eBGP multihop (peer not directly connected, e.g. between loopbacks). */
    multihop: boolean('multihop').notNull().default(false),
    peerAsn: bigint('peer_asn', { mode: 'number' }).notNull(),
    /** BIRD `import limit N action restart`: prefixes of every institution on the session. */
    importLimit: integer('import_limit').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('routing_sessions_asn', sql`${t.peerAsn} BETWEEN 1 AND 4294967295`),
    check('routing_sessions_import_limit', sql`${t.importLimit} BETWEEN 1 AND 1000000`),
    check('routing_sessions_name', sql`${t.name} ~ '^[a-z][a-z0-9_]{0,62}$'`),
    check(
      'routing_sessions_addresses',
      sql`masklen(${t.peerAddress}) = CASE family(${t.peerAddress}) WHEN 4 THEN 32 ELSE 128 END AND (${t.localAddress} IS NULL OR family(${t.localAddress}) = family(${t.peerAddress}))`,
    ),
    check(
      'routing_sessions_ports',
      sql`(${t.localPort} IS NULL OR ${t.localPort} BETWEEN 1 AND 65535) AND (${t.peerPort} IS NULL OR ${t.peerPort} BETWEEN 1 AND 65535)`,
    ),
    // BIRD protocol names are per config: unique per collector.
    uniqueIndex('routing_sessions_name_key').on(t.collectorId, t.name),
    uniqueIndex('routing_sessions_collector_key').on(t.collectorId, t.id),
  ],
);

/** An institution's current routing: one row per institution. */
export const routedInstitutions = pgTable(
  'routing_institutions',
  {
    institutionId: uuid('institution_id')
      .primaryKey()
      .references(() => institutions.id),
    collectorId: uuid('collector_id').notNull(),
    sessionId: uuid('session_id').notNull(),
    originAs: bigint('origin_as', { mode: 'number' }).notNull(),
    /** The request that made the current state. */
    requestId: uuid('request_id'),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('routing_institutions_origin_as', sql`${t.originAs} BETWEEN 1 AND 4294967295`),
    index('routing_institutions_session').on(t.sessionId),
    index('routing_institutions_collector').on(t.collectorId),
  ],
);

export const announcements = pgTable(
  'routing_announcements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    prefix: cidr('prefix').notNull(),
    family: integer('family').notNull(),
    /** `ipam`: inside an active assignment (`assignmentId`); `pi`: provider-independent. */
    source: text('source').notNull(),
    assignmentId: uuid('assignment_id'),
    /** pi: what shows the institution holds it (RIPE object, LIR letter…). */
    evidence: text('evidence'),
    /** pi: the NOC accepted the evidence (who, when); an accepted PI needs no NOC next time. */
    acceptedBy: text('accepted_by'),
    acceptedAt: timestamp('accepted_at', TS),
    requestId: uuid('request_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('routing_announcements_source', sql`${t.source} IN ('ipam', 'pi')`),
    check('routing_announcements_family', sql`${t.family} IN (4, 6) AND family(${t.prefix}) = ${t.family}`),
    check(
      'routing_announcements_origin',
      sql`(${t.source} = 'ipam' AND ${t.assignmentId} IS NOT NULL AND ${t.acceptedAt} IS NULL) OR (${t.source} = 'pi' AND ${t.assignmentId} IS NULL AND (${t.acceptedAt} IS NULL) = (${t.acceptedBy} IS NULL))`,
    ),
    uniqueIndex('routing_announcements_key').on(t.institutionId, t.prefix),
    index('routing_announcements_prefix_gist').using('gist', t.prefix.op('inet_ops')),
  ],
);

/** Every rendered collector configuration, with its `bird -p` verdict; the latest is current. */
export const configs = pgTable(
  'routing_configs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    collectorId: uuid('collector_id')
      .notNull()
      .references(() => collectors.id),
    version: integer('version').notNull(),
    text: text('text').notNull(),
    /** SHA-256 (hex) of the text. */
    hash: text('hash').notNull(),
    birdOk: boolean('bird_ok').notNull(),
    birdErrors: text('bird_errors').array().notNull().default(sql`'{}'::text[]`),
    /** Prefixes the generator refused, with the reason (`prefix: reason`). */
    rejected: text('rejected').array().notNull().default(sql`'{}'::text[]`),
    requestId: uuid('request_id'),
    /** `deployed` (birdc configure accepted it), `failed`, or `not-deployed` (no target: the NOC deploys). */
    deployStatus: text('deploy_status'),
    deployOutput: text('deploy_output'),
    deployedAt: timestamp('deployed_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check('routing_configs_deploy_status', sql`${t.deployStatus} IN ('deployed', 'failed', 'not-deployed')`),
    check('routing_configs_version', sql`${t.version} >= 1`),
    uniqueIndex('routing_configs_version_key').on(t.collectorId, t.version),
  ],
);
