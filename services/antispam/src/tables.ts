import {
  boolean,
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
import type { DirectorySpec, Finding, NextHop } from './model.js';

/**
 * antispam. Invariants held by PostgreSQL:
 * - a domain is live (not withdrawn) for at most one onboarding at a time (partial unique index),
 *   so two institutions can never both route the same domain through the gateway;
 * - a bind password exists only sealed (AES-256-GCM under SECRETS_KEY, the secret row's id as
 *   context); no column holds it in clear and no API field reads `sealed`.
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
});
