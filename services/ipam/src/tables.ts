import {
  bigint,
  boolean,
  check,
  cidr,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { institutions, sites } from '@guichet/membership';

/**
 * IPAM. Invariants held by PostgreSQL (custom migration `ipam_exclusion`):
 * - two holding assignments (reserved/active/returned/quarantined) never overlap (GiST EXCLUDE);
 * - two live reservations never overlap; two free-list blocks never overlap;
 * - sibling pools never overlap (one partial EXCLUDE per depth 0…3: no btree_gist needed),
 *   retired pools aside (`ipam_pool_retirement`);
 * - an assignment, a reservation, a free block and a child pool lie inside their pool
 *   (trigger `ipam_inside_pool`, 23514).
 */

const TS = { withTimezone: true } as const;

export const pools = pgTable(
  'ipam_pools',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    family: smallint('family').notNull(),
    prefix: cidr('prefix').notNull(),
    parentId: uuid('parent_id'),
    /** 0 for space from the RIR, 1… for subdivisions. */
    depth: smallint('depth').notNull().default(0),
    status: text('status').notNull(),
    assignmentSize: smallint('assignment_size'),
    purpose: text('purpose').notNull(),
    strategy: text('strategy').notNull(),
    /**
     * Growth envelope: the length of the aligned block reserved (kind `growth`) around each
     * allocation, e.g. 44 for a /48 (null: none). See README, "Growth envelopes".
     */
    growthLength: smallint('growth_length'),
    /** Counters are in units: addresses (IPv4) or /64s (IPv6), kept by the allocating transaction. */
    unitLength: smallint('unit_length').notNull(),
    sizeUnits: bigint('size_units', { mode: 'number' }).notNull(),
    /** Units held by assignments (any holding lifecycle) and by child pools. */
    usedUnits: bigint('used_units', { mode: 'number' }).notNull().default(0),
    reservedUnits: bigint('reserved_units', { mode: 'number' }).notNull().default(0),
    assignmentCount: integer('assignment_count').notNull().default(0),
    netname: text('netname'),
    country: text('country'),
    adminC: text('admin_c').array().notNull().default(sql`'{}'::text[]`),
    techC: text('tech_c').array().notNull().default(sql`'{}'::text[]`),
    mntBy: text('mnt_by').array().notNull().default(sql`'{}'::text[]`),
    source: text('source').notNull().default('RIPE'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    /**
     * Set when the NOC retires the pool (`retirePool`): nothing is allocated from it any more,
     * its space went back to its parent, and its prefix may be declared again. A retired pool
     * holds no assignment, child pool or reservation (checked under its row lock).
     */
    retiredAt: timestamp('retired_at', TS),
    retiredReason: text('retired_reason'),
  },
  (t) => [
    check('ipam_pools_family', sql`${t.family} IN (4, 6) AND family(${t.prefix}) = ${t.family}`),
    check('ipam_pools_depth', sql`${t.depth} BETWEEN 0 AND 3 AND (${t.depth} = 0) = (${t.parentId} IS NULL)`),
    check(
      'ipam_pools_status',
      sql`${t.status} IN ('ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 'ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR')`,
    ),
    check(
      'ipam_pools_assignment_size',
      sql`${t.assignmentSize} IS NULL OR (${t.status} = 'AGGREGATED-BY-LIR' AND ${t.assignmentSize} > masklen(${t.prefix}) AND ${t.assignmentSize} <= CASE ${t.family} WHEN 4 THEN 32 ELSE 128 END)`,
    ),
    check(
      'ipam_pools_growth_length',
      sql`${t.growthLength} IS NULL OR ${t.growthLength} BETWEEN masklen(${t.prefix}) AND CASE ${t.family} WHEN 4 THEN 32 ELSE 128 END`,
    ),
    check('ipam_pools_strategy', sql`${t.strategy} IN ('best_fit', 'sparse', 'first_fit', 'last_fit')`),
    check(
      'ipam_pools_counters',
      sql`${t.usedUnits} >= 0 AND ${t.reservedUnits} >= 0 AND ${t.assignmentCount} >= 0`,
    ),
    check('ipam_pools_retired', sql`(${t.retiredAt} IS NULL) = (${t.retiredReason} IS NULL)`),
    uniqueIndex('ipam_pools_prefix_key').on(t.prefix).where(sql`${t.retiredAt} IS NULL`),
    index('ipam_pools_parent').on(t.parentId),
    index('ipam_pools_prefix_gist').using('gist', t.prefix.op('inet_ops')),
  ],
);

/**
 * The free space of each pool as disjoint CIDR blocks (buddy decomposition); see README. A
 * row with `cut` (sparse pools) is a tail: `prefix` minus its first /cut, i.e. that hole's
 * buddies up to `prefix`, written as one row; `masklen` is the row's largest block.
 */
export const freeBlocks = pgTable(
  'ipam_free_blocks',
  {
    poolId: uuid('pool_id')
      .notNull()
      .references(() => pools.id),
    prefix: cidr('prefix').notNull(),
    masklen: smallint('masklen').notNull(),
    cut: smallint('cut'),
  },
  (t) => [
    check(
      'ipam_free_blocks_masklen',
      sql`${t.masklen} = masklen(${t.prefix}) + CASE WHEN ${t.cut} IS NULL THEN 0 ELSE 1 END`,
    ),
    check(
      'ipam_free_blocks_cut',
      sql`${t.cut} IS NULL OR (${t.cut} > masklen(${t.prefix}) AND ${t.cut} <= CASE family(${t.prefix}) WHEN 4 THEN 32 ELSE 128 END)`,
    ),
    uniqueIndex('ipam_free_blocks_key').on(t.poolId, t.prefix),
    // best-fit and sparse: by size, then address; first/last-fit use the key above.
    index('ipam_free_blocks_by_size').on(t.poolId, t.masklen, t.prefix),
  ],
);

export const assignments = pgTable(
  'ipam_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    poolId: uuid('pool_id')
      .notNull()
      .references(() => pools.id),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    siteId: uuid('site_id').references(() => sites.id),
    family: smallint('family').notNull(),
    prefix: cidr('prefix').notNull(),
    status: text('status').notNull(),
    lifecycle: text('lifecycle').notNull(),
    purpose: text('purpose').notNull(),
    justification: text('justification'),
    /** The workflow request that made it (none for a manual assignment by staff). */
    requestId: uuid('request_id'),
    netname: text('netname').notNull(),
    country: text('country').notNull(),
    adminC: text('admin_c').array().notNull().default(sql`'{}'::text[]`),
    techC: text('tech_c').array().notNull().default(sql`'{}'::text[]`),
    mntBy: text('mnt_by').array().notNull().default(sql`'{}'::text[]`),
    source: text('source').notNull().default('RIPE'),
    descr: text('descr'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', TS),
    returnedAt: timestamp('returned_at', TS),
    quarantineUntil: timestamp('quarantine_until', TS),
    freedAt: timestamp('freed_at', TS),
    /** When the object was last written to the RIPE database (null: not there, or not yet). */
    ripeRegisteredAt: timestamp('ripe_registered_at', TS),
    /** The last failed RIPE write, cleared by the next success. */
    ripeLastError: text('ripe_last_error'),
  },
  (t) => [
    check('ipam_assignments_family', sql`${t.family} IN (4, 6) AND family(${t.prefix}) = ${t.family}`),
    check('ipam_assignments_status', sql`${t.status} IN ('ASSIGNED PA', 'ASSIGNED')`),
    check(
      'ipam_assignments_lifecycle',
      sql`${t.lifecycle} IN ('reserved', 'active', 'returned', 'quarantined', 'free')`,
    ),
    check(
      'ipam_assignments_quarantine',
      sql`(${t.lifecycle} = 'quarantined') = (${t.quarantineUntil} IS NOT NULL AND ${t.freedAt} IS NULL) OR ${t.lifecycle} = 'free'`,
    ),
    // An institution's assignments by prefix (Institution.prefixes, its keyset pages) and every
    // lookup by institution: one index for both, so an allocation maintains one, not two.
    index('ipam_assignments_institution_prefix').on(t.institutionId, t.prefix, t.id),
    index('ipam_assignments_pool').on(t.poolId),
    index('ipam_assignments_quarantine_due').on(t.quarantineUntil).where(sql`${t.lifecycle} = 'quarantined'`),
  ],
);

export const reservations = pgTable(
  'ipam_reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    poolId: uuid('pool_id')
      .notNull()
      .references(() => pools.id),
    family: smallint('family').notNull(),
    prefix: cidr('prefix').notNull(),
    /** `growth`: room next to an assignment; `hold`: a temporary hold (usually with an expiry). */
    kind: text('kind').notNull(),
    institutionId: uuid('institution_id').references(() => institutions.id),
    assignmentId: uuid('assignment_id').references(() => assignments.id),
    /**
     * `growth` only: the whole envelope this block belongs to. An envelope is kept as the buddy
     * blocks left around its assignments (one row each, never overlapping them), so the free
     * list, the counters and the exclusion constraints stay exact; releasing one block of an
     * envelope releases all of them.
     */
    envelope: cidr('envelope'),
    reason: text('reason').notNull(),
    expiresAt: timestamp('expires_at', TS),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    releasedAt: timestamp('released_at', TS),
  },
  (t) => [
    check('ipam_reservations_kind', sql`${t.kind} IN ('growth', 'hold')`),
    check('ipam_reservations_family', sql`family(${t.prefix}) = ${t.family}`),
    check(
      'ipam_reservations_envelope',
      sql`(${t.envelope} IS NULL OR (${t.kind} = 'growth' AND ${t.envelope} >>= ${t.prefix}))`,
    ),
    index('ipam_reservations_pool').on(t.poolId),
    index('ipam_reservations_growth')
      .on(t.poolId, t.institutionId)
      .where(sql`${t.kind} = 'growth' AND ${t.releasedAt} IS NULL`),
    index('ipam_reservations_expiry').on(t.expiresAt).where(sql`${t.releasedAt} IS NULL`),
  ],
);

/** The last RIPE drift report per scope (`all`, or a pool id), overwritten by each run. */
export const ripeDriftReports = pgTable('ipam_ripe_drift_reports', {
  scope: text('scope').primaryKey(),
  checkedAt: timestamp('checked_at', TS).notNull(),
  inSync: boolean('in_sync').notNull(),
  held: integer('held').notNull(),
  report: jsonb('report').notNull(),
});
