import {
  bigint,
  bigserial,
  check,
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
import { contacts, institutions } from '@guichet/membership';

/**
 * Domain names. Invariants held by PostgreSQL:
 * - one live domain per name (partial unique index on the A-label where state <> 'deleted');
 * - an institution under contract has at most ONE free name: `domains_free_names` has the
 *   institution as primary key, and a filing claims it with INSERT … ON CONFLICT DO NOTHING —
 *   two names filed at once queue on that key and exactly one gets it;
 * - the price is 0 or 75 € and says why (CHECK);
 * - a poll message of the registry is stored once (unique registry id), which is what makes
 *   acting on it happen once whatever the worker does between storing and acking.
 */

const TS = { withTimezone: true } as const;

export const DOMAIN_STATES = ['requested', 'provisioning', 'active', 'redemption', 'deleted'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

/** The holder as the registry sees it (a legal entity: the institution by default). */
export interface HolderJson {
  name: string;
  legalStatus: 'company' | 'association' | 'other';
  /** SIREN (9 digits) or SIRET (14) for a French entity. */
  siren?: string;
  /** Intra-community VAT number for an entity of another EEA country. */
  vat?: string;
  waldec?: string;
  /** ISO 3166 alpha-2. */
  country: string;
  city: string;
  street?: string;
  postalCode?: string;
}

export interface NameServerJson {
  name: string;
  /** Glue: only (and then required) for a name inside the domain. */
  addresses: string[];
}

export interface DsJson {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
}

export const domains = pgTable(
  'domains_domains',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** The A-label form, lower case: what the registry and the DNS see. */
    name: text('name').notNull(),
    /** The U-label form, as people read it. */
    uName: text('u_name').notNull(),
    zone: text('zone').notNull(),
    state: text('state').notNull().default('requested'),
    holder: jsonb('holder').$type<HolderJson>().notNull(),
    adminContactId: uuid('admin_contact_id')
      .notNull()
      .references(() => contacts.id),
    techContactIds: uuid('tech_contact_ids').array().notNull(),
    nameservers: jsonb('nameservers').$type<NameServerJson[]>().notNull(),
    ds: jsonb('ds').$type<DsJson[]>().notNull().default(sql`'[]'::jsonb`),
    periodYears: integer('period_years').notNull(),
    /** Cents of euro: 0 or 7500. */
    priceCents: integer('price_cents').notNull(),
    /** Why that price: `tutelle` (included), `first-free` (the first name under contract), `contrat`. */
    pricing: text('pricing').notNull(),
    /** The domain's authInfo, sealed (AES-256-GCM); never returned. */
    authInfoSealed: text('auth_info_sealed'),
    expiresAt: timestamp('expires_at', TS),
    /** End of the 30-day redemption period after a deletion. */
    redemptionUntil: timestamp('redemption_until', TS),
    /** The last expiry reminder sent (days before expiry), so each is sent once. */
    remindedDays: integer('reminded_days'),
    /** The request that made it. */
    requestId: uuid('request_id').notNull(),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', TS).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', TS),
  },
  (t) => [
    check(
      'domains_domains_state',
      sql`${t.state} IN ('requested', 'provisioning', 'active', 'redemption', 'deleted')`,
    ),
    check('domains_domains_zone', sql`${t.zone} IN ('fr', 'prd.fr')`),
    check(
      'domains_domains_name',
      sql`${t.name} = lower(${t.name}) AND ${t.name} ~ '^[a-z0-9-]{1,63}\\.(prd\\.)?fr$'`,
    ),
    check('domains_domains_period', sql`${t.periodYears} BETWEEN 1 AND 10`),
    check(
      'domains_domains_price',
      sql`(${t.pricing} IN ('tutelle', 'first-free') AND ${t.priceCents} = 0) OR (${t.pricing} = 'contrat' AND ${t.priceCents} = 7500)`,
    ),
    check('domains_domains_techs', sql`cardinality(${t.techContactIds}) BETWEEN 1 AND 3`),
    uniqueIndex('domains_domains_live_name').on(t.name).where(sql`${t.state} <> 'deleted'`),
    index('domains_domains_institution').on(t.institutionId, t.name),
    index('domains_domains_expiry').on(t.expiresAt).where(sql`${t.state} = 'active'`),
  ],
);

/** The free name of an institution under contract: one row per institution, held by the key. */
export const freeNames = pgTable('domains_free_names', {
  institutionId: uuid('institution_id')
    .primaryKey()
    .references(() => institutions.id),
  domainId: uuid('domain_id')
    .notNull()
    .unique('domains_free_names_domain_key')
    .references(() => domains.id),
  createdAt: timestamp('created_at', TS).notNull().defaultNow(),
});

/**
 * The letter of commitment and its technical annex, as rendered for a request and, once the
 * head of institution signed it, as signed (who, when, SHA-256 of the text).
 */
export const letters = pgTable(
  'domains_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id').notNull(),
    /** The request's pass (a resubmission renders a new letter). */
    pass: integer('pass').notNull(),
    text: text('text').notNull(),
    hash: text('hash').notNull(),
    signedByContactId: uuid('signed_by_contact_id').references(() => contacts.id),
    signedByName: text('signed_by_name'),
    signedAt: timestamp('signed_at', TS),
    createdAt: timestamp('created_at', TS).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('domains_letters_pass_key').on(t.requestId, t.pass),
    check('domains_letters_hash', sql`${t.hash} ~ '^[0-9a-f]{64}$'`),
    check('domains_letters_signature', sql`(${t.signedAt} IS NULL) = (${t.signedByName} IS NULL)`),
  ],
);

/**
 * Every message of the registry's poll queue, stored (and acted on, in the same transaction)
 * before it is acked. `ackedAt` null: stored and acted on, the ack not yet confirmed.
 */
export const pollMessages = pgTable(
  'domains_poll_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    registryId: text('registry_id').notNull(),
    kind: text('kind').notNull(),
    domain: text('domain'),
    contact: text('contact'),
    outcome: text('outcome'),
    text: text('text').notNull(),
    raw: text('raw').notNull(),
    queuedAt: timestamp('queued_at', TS),
    receivedAt: timestamp('received_at', TS).notNull().defaultNow(),
    /** What Guichet did about it (`domain x.fr deleted by the registry`, `none`). */
    action: text('action').notNull(),
    ackedAt: timestamp('acked_at', TS),
  },
  (t) => [
    uniqueIndex('domains_poll_messages_registry_key').on(t.registryId),
    check(
      'domains_poll_messages_kind',
      sql`${t.kind} IN ('qualification', 'zonecheck', 'transfer', 'trade', 'deletion', 'other')`,
    ),
  ],
);

export type DomainRow = typeof domains.$inferSelect;
export type LetterRow = typeof letters.$inferSelect;
export type PollMessageRow = typeof pollMessages.$inferSelect;

/**
 * The operator's `.prd.fr` zone: one row holding the SOA serial of the last rendered version
 * and its text. Each publication bumps the serial in its own short transaction (UPDATE …
 * RETURNING: concurrent publications get distinct, increasing serials).
 */
export const prdZone = pgTable(
  'domains_prd_zone',
  {
    zone: text('zone').primaryKey(),
    serial: bigint('serial', { mode: 'number' }).notNull(),
    text: text('text'),
    renderedAt: timestamp('rendered_at', TS),
  },
  (t) => [check('domains_prd_zone_zone', sql`${t.zone} = 'prd.fr'`)],
);
