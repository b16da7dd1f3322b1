import {
  bigint,
  boolean,
  check,
  cidr,
  index,
  inet,
  integer,
  jsonb,
  pgTable,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { assignments } from '@guichet/ipam';
import { institutions } from '@guichet/membership';

/**
 * Reverse DNS. Invariants held by PostgreSQL:
 * - a zone name is delegated at most once among live delegations (partial unique index on
 *   lower(zone) where state <> 'withdrawn');
 * - parent zone versions are numbered per parent zone without duplicates (unique key), and a
 *   serial fits a 32-bit SOA serial.
 */

const TS = { withTimezone: true } as const;

/** A name server of a delegation as the institution declared it. */
export interface NameServerJson {
  name: string;
  /** Glue, only when `name` is inside the delegated zone. */
  addresses: string[];
}

/** A DS record in presentation parts. */
export interface DsJson {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
}

/** One finding of a pre-delegation check (shape of ./check's Finding). */
export interface FindingJson {
  level: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
  [k: string]: unknown;
}

/**
 * The operator's own parent zones (the /16s, the IPv6 /32 it holds): configuration, not
 * requests. Delegations of members' zones are published into these.
 */
export const parentZones = pgTable(
  'rdns_parent_zones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    zone: text('zone').notNull(),
    /** The address space the zone covers (an ipam pool or aggregate). */
    prefix: cidr('prefix').notNull(),
    /** The operator's authoritative server that publishes the zone. */
    serverAddress: inet('server_address').notNull(),
    serverPort: integer('server_port').notNull().default(53),
    /** SOA MNAME and RNAME (as a domain name) of the zone. */
    mname: text('mname').notNull(),
    rname: text('rname').notNull(),
    /** The operator's name servers for the zone (apex NS). */
    nameservers: text('nameservers').array().notNull(),
    /** The serial of the last version pushed to the server (null: none yet). */
    pushedSerial: bigint('pushed_serial', { mode: 'number' }),
    pushedAt: timestamp('pushed_at', TS),
    /**
     * A delegation it carries changed since its last version: the next publication (or the
     * sync job) renders and checks a new version outside any transaction, then stores it.
     */
    needsRender: boolean('needs_render').notNull().default(false),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rdns_parent_zones_zone_key').on(sql`lower(${t.zone})`),
    check('rdns_parent_zones_port', sql`${t.serverPort} BETWEEN 1 AND 65535`),
    check('rdns_parent_zones_zone', sql`${t.zone} ~* '(in-addr|ip6)\\.arpa$'`),
  ],
);

/** A member's reverse zone delegated (or being delegated) to its own name servers. */
export const delegations = pgTable(
  'rdns_delegations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    zone: text('zone').notNull(),
    /** The addresses the zone serves (the whole of it, not the assignment's prefix). */
    prefix: cidr('prefix').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id),
    /** The parent zone it is published into, when one of the operator's covers it. */
    parentZoneId: uuid('parent_zone_id').references(() => parentZones.id),
    nameservers: jsonb('nameservers').$type<NameServerJson[]>().notNull(),
    ds: jsonb('ds').$type<DsJson[]>().notNull().default(sql`'[]'::jsonb`),
    state: text('state').notNull().default('requested'),
    /** The workflow request that made or last changed it. */
    requestId: uuid('request_id'),
    lastCheckAt: timestamp('last_check_at', TS),
    lastFindings: jsonb('last_findings').$type<FindingJson[]>(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    publishedAt: timestamp('published_at', TS),
    withdrawnAt: timestamp('withdrawn_at', TS),
  },
  (t) => [
    check(
      'rdns_delegations_state',
      sql`${t.state} IN ('requested', 'checking', 'published', 'lame', 'withdrawn')`,
    ),
    check('rdns_delegations_withdrawn', sql`(${t.state} = 'withdrawn') = (${t.withdrawnAt} IS NOT NULL)`),
    uniqueIndex('rdns_delegations_live_zone_key')
      .on(sql`lower(${t.zone})`)
      .where(sql`${t.state} <> 'withdrawn'`),
    index('rdns_delegations_institution').on(t.institutionId, t.state),
    index('rdns_delegations_assignment').on(t.assignmentId),
  ],
);

/** Every check run of a delegation (pre-delegation and periodic). */
export const checks = pgTable(
  'rdns_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    delegationId: uuid('delegation_id')
      .notNull()
      .references(() => delegations.id),
    at: timestamp('at', TS).notNull().defaultNow(),
    findings: jsonb('findings').$type<FindingJson[]>().notNull(),
    blocking: boolean('blocking').notNull(),
  },
  (t) => [index('rdns_checks_delegation').on(t.delegationId, t.at)],
);

/** Each published text of a parent zone (validated by named-checkzone before it is stored). */
export const parentZoneVersions = pgTable(
  'rdns_parent_zone_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    parentZoneId: uuid('parent_zone_id')
      .notNull()
      .references(() => parentZones.id),
    serial: bigint('serial', { mode: 'number' }).notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rdns_parent_zone_versions_serial_key').on(t.parentZoneId, t.serial),
    check('rdns_parent_zone_versions_serial', sql`${t.serial} BETWEEN 1 AND 4294967295`),
  ],
);
