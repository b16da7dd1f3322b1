import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';
import { institutions } from '@guichet/membership';
import type { DirectorySpec, Finding, MxCheck, NextHop } from './model.js';

/**
 * antispam. Invariants held by PostgreSQL:
 * - a domain is live (not withdrawn) for at most one onboarding at a time (partial unique index),
 *   so two institutions can never both route the same domain through the gateway;
 * - a bind password exists only sealed (AES-256-GCM under SECRETS_KEY, the secret row's id as
 *   context); no column holds it in clear and no API field reads `sealed`.
 * - one settings row per scope (the platform, an institution, a domain), the scope name tied to
 *   its columns by a CHECK; thresholds within 0–1000;
 * - a sender is on at most one of an institution's lists (allow or deny, never both).
 */

const TS = { withTimezone: true } as const;

/**
 * Directory bind passwords, sealed when the request is filed (the request payload then names the
 * row, never the password). `onboardingId` is set when the request's first step takes it.
 */
export const bindSecrets = pgTable('antispam_bind_secrets', {
  id: uuid('id').primaryKey(),
  institutionId: uuid('institution_id')
    .notNull()
    .references(() => institutions.id),
  sealed: text('sealed').notNull(),
  onboardingId: uuid('onboarding_id'),
  createdAt: timestamp('created_at', TS).notNull().defaultNow(),
});

/** One onboarding request's directory, next hops, test addresses and latest self-test findings. */
export const onboardings = pgTable(
  'antispam_onboardings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    requestId: uuid('request_id').notNull(),
    directory: jsonb('directory').$type<DirectorySpec>().notNull(),
    bindSecretId: uuid('bind_secret_id')
      .notNull()
      .references(() => bindSecrets.id),
    allowPlainLdap: boolean('allow_plain_ldap').notNull().default(false),
    nextHops: jsonb('next_hops').$type<NextHop[]>().notNull(),
    knownAddress: text('known_address').notNull(),
    unknownAddress: text('unknown_address').notNull(),
    /** `testing` → `returned` | `tested` → `published`; `withdrawn` when abandoned. */
    state: text('state').notNull().default('testing'),
    findings: jsonb('findings').$type<Finding[]>().notNull().default(sql`'[]'::jsonb`),
    testedAt: timestamp('tested_at', TS),
    testMs: integer('test_ms'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
  },
  (t) => [index('antispam_onboardings_institution').on(t.institutionId, t.createdAt)],
);

/** The gateway's domains; `state` in model.ts (DOMAIN_STATES). */
export const domains = pgTable(
  'antispam_domains',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    onboardingId: uuid('onboarding_id')
      .notNull()
      .references(() => onboardings.id),
    domain: text('domain').notNull(),
    state: text('state').notNull().default('requested'),
    /** The latest MX poll against the domain's authoritative servers (cut-over). */
    mx: jsonb('mx').$type<MxCheck>(),
    mxCheckedAt: timestamp('mx_checked_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('antispam_domains_live').on(t.domain).where(sql`state <> 'withdrawn'`),
    index('antispam_domains_institution').on(t.institutionId),
  ],
);

/** Every attempt to publish the gateway's Postfix maps (what was checked, what was swapped in). */
export const publications = pgTable('antispam_publications', {
  id: uuid('id').primaryKey().defaultRandom(),
  at: timestamp('at', TS).notNull().defaultNow(),
  hash: text('hash').notNull(),
  /** `deployed`, `unchanged`, `refused` (postfix check said no), `checked` (no ANTISPAM_POSTFIX_DIR). */
  status: text('status').notNull(),
  errors: jsonb('errors').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  domains: integer('domains').notNull(),
  checkMs: integer('check_ms'),
  /** `postfix` (the maps) or `rspamd` (settings and lists). */
  target: text('target').notNull().default('postfix'),
});

const threshold = (name: string) => doublePrecision(name);

/**
 * Rspamd settings, layered: the platform row (`scope = 'global'`), an institution's
 * (`institution:<id>`), a domain's (`domain:<institution id>:<name>`: a domain that changes hands
 * does not bring its old layer). A null column inherits from the layer
 * above; the rendering merges global → institution → domain.
 */
export const settings = pgTable(
  'antispam_settings',
  {
    scope: text('scope').primaryKey(),
    institutionId: uuid('institution_id').references(() => institutions.id),
    domain: text('domain'),
    addHeader: threshold('add_header'),
    rewriteSubject: threshold('rewrite_subject'),
    reject: threshold('reject'),
    tagSubject: boolean('tag_subject'),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
  },
  (t) => [
    check(
      'antispam_settings_scope',
      sql`${t.scope} = CASE WHEN ${t.institutionId} IS NULL THEN CASE WHEN ${t.domain} IS NULL THEN 'global' END WHEN ${t.domain} IS NULL THEN 'institution:' || ${t.institutionId}::text ELSE 'domain:' || ${t.institutionId}::text || ':' || ${t.domain} END`,
    ),
    check(
      'antispam_settings_range',
      sql`coalesce(${t.addHeader}, 0) BETWEEN 0 AND 1000 AND coalesce(${t.rewriteSubject}, 0) BETWEEN 0 AND 1000 AND coalesce(${t.reject}, 0) BETWEEN 0 AND 1000`,
    ),
  ],
);

/** An institution's allow and deny lists: sender addresses or `@domain` entries. */
export const listEntries = pgTable(
  'antispam_list_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    list: text('list').notNull(),
    entry: text('entry').notNull(),
    /** Why it is there: typed by a contact, or a confirmed false-positive report. */
    reportId: uuid('report_id'),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('antispam_list_entries_entry').on(t.institutionId, t.entry),
    check('antispam_list_entries_list', sql`${t.list} IN ('allow', 'deny')`),
  ],
);

/** A message a contact reported as wrongly classified, with what rspamd said of it. */
export const reports = pgTable(
  'antispam_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    requestId: uuid('request_id'),
    /** `false-positive` (ham taken for spam) or `false-negative` (spam let through). */
    kind: text('kind').notNull(),
    /** The raw message as uploaded (size-limited by ANTISPAM_REPORT_MAX_BYTES). */
    message: text('message').notNull(),
    sender: text('sender'),
    subject: text('subject'),
    score: doublePrecision('score'),
    action: text('action'),
    symbols: jsonb('symbols').$type<{ name: string; score: number }[]>(),
    /** `filed` → `scanned` → `learned`; `dismissed` when the NOC does not confirm. */
    state: text('state').notNull().default('filed'),
    learnedAt: timestamp('learned_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    index('antispam_reports_institution').on(t.institutionId, t.createdAt),
    check('antispam_reports_kind', sql`${t.kind} IN ('false-positive', 'false-negative')`),
  ],
);
