import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  sql,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from '@guichet/db';

/**
 * Institutions and their people. Invariants held by PostgreSQL, not by application checks:
 * unique SIREN and short name; one main site; site names unique per institution; at most two
 * federation contacts (slots 1 and 2); one active and one draft agreement version at a time.
 */

export const institutions = pgTable(
  'membership_institutions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    shortName: text('short_name').notNull(),
    /** `tutelle` (under a supervising ministry) or `contrat` (under contract): billing differs. */
    kind: text('kind').notNull(),
    siren: text('siren').notNull(),
    /** SIRET of the main establishment: its first nine digits are the SIREN. */
    siret: text('siret'),
    /** The regional collection network that carries the institution to the backbone. */
    collector: text('collector').notNull(),
    status: text('status').notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    check('membership_institutions_kind', sql`${t.kind} IN ('tutelle', 'contrat')`),
    check('membership_institutions_status', sql`${t.status} IN ('active', 'closed')`),
    check('membership_institutions_siren', sql`${t.siren} ~ '^[0-9]{9}$'`),
    check(
      'membership_institutions_siret',
      sql`${t.siret} IS NULL OR (${t.siret} ~ '^[0-9]{14}$' AND left(${t.siret}, 9) = ${t.siren})`,
    ),
    uniqueIndex('membership_institutions_siren_key').on(t.siren),
    uniqueIndex('membership_institutions_short_name_key').on(sql`lower(${t.shortName})`),
    // The listing's keyset order.
    index('membership_institutions_name').on(t.name, t.id),
  ],
);

export const sites = pgTable(
  'membership_sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    address: text('address').notNull(),
    city: text('city').notNull(),
    /** The main site; the others are secondary sites (listed in the agreement's bandwidth sheet). */
    main: boolean('main').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('membership_sites_name_key')
      .on(t.institutionId, sql`lower(${t.name})`)
      .where(sql`${t.removedAt} IS NULL`),
    uniqueIndex('membership_sites_one_main')
      .on(t.institutionId)
      .where(sql`${t.main} AND ${t.removedAt} IS NULL`),
  ],
);

export const contacts = pgTable(
  'membership_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    /** Federation identity (eduPersonPrincipalName): how the contact logs in through the SAML proxy. */
    eppn: text('eppn'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('membership_contacts_eppn_key').on(t.eppn).where(sql`${t.removedAt} IS NULL`),
    uniqueIndex('membership_contacts_email_key')
      .on(t.institutionId, sql`lower(${t.email})`)
      .where(sql`${t.removedAt} IS NULL`),
    index('membership_contacts_institution').on(t.institutionId),
    // Lets contact_roles reference (id, institution_id) so a role cannot name another institution.
    uniqueIndex('membership_contacts_id_institution').on(t.id, t.institutionId),
  ],
);

export const contactRoles = pgTable(
  'membership_contact_roles',
  {
    contactId: uuid('contact_id').notNull(),
    institutionId: uuid('institution_id').notNull(),
    role: text('role').notNull(),
    /** Federation contacts take slot 1 or 2 (at most two per institution); every other role slot 1. */
    slot: smallint('slot').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.role] }),
    foreignKey({
      columns: [t.contactId, t.institutionId],
      foreignColumns: [contacts.id, contacts.institutionId],
    }),
    check(
      'membership_contact_roles_role',
      sql`${t.role} IN ('head', 'technical', 'security', 'service', 'administrative', 'eduroam', 'federation')`,
    ),
    check(
      'membership_contact_roles_slot',
      sql`${t.slot} = 1 OR (${t.role} = 'federation' AND ${t.slot} = 2)`,
    ),
    uniqueIndex('membership_contact_roles_federation_slots')
      .on(t.institutionId, t.slot)
      .where(sql`${t.role} = 'federation'`),
    index('membership_contact_roles_institution').on(t.institutionId, t.role),
  ],
);

// The list lives in model.ts (pure code validates against it); the CHECK below repeats it.
export { SERVICES } from './model.js';

/**
 * Agreement versions. A version holds the three documents (convention, charter with the
 * security contact, bandwidth sheet with the secondary sites) and the services it opens.
 * draft → signed (by the head of institution: who, when, hash of the rendered document)
 * → active (validated by the agreement desk; the previous active one becomes superseded).
 * A draft that is abandoned becomes withdrawn.
 */
export const agreementVersions = pgTable(
  'membership_agreement_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    version: integer('version').notNull(),
    status: text('status').notNull(),
    /** Reference of the convention text (general and particular conditions) this version uses. */
    conventionRef: text('convention_ref').notNull(),
    /** Reference of the good-use charter text. */
    charterRef: text('charter_ref').notNull(),
    securityContactId: uuid('security_contact_id').references(() => contacts.id),
    /** The eduroam contact named when the version opens eduroam (a contact holding the `eduroam` role). */
    eduroamContactId: uuid('eduroam_contact_id').references(() => contacts.id),
    /** The eduroam policy (Service Definition) version whose charter the head signs with eduroam. */
    eduroamPolicy: text('eduroam_policy'),
    bandwidthMbps: integer('bandwidth_mbps').notNull(),
    secondarySiteIds: uuid('secondary_site_ids').array().notNull().default(sql`'{}'::uuid[]`),
    services: text('services').array().notNull().default(sql`'{}'::text[]`),
    /** SHA-256 of the rendered document the head of institution signed. */
    documentHash: text('document_hash'),
    /**
     * The rendered text that was signed, kept as signed: a contact's later change of name or
     * email must not alter (and so un-sign) an agreement already in force.
     */
    signedDocument: text('signed_document'),
    signedByContactId: uuid('signed_by_contact_id').references(() => contacts.id),
    signedByName: text('signed_by_name'),
    signedAt: timestamp('signed_at', { withTimezone: true }),
    activatedBy: text('activated_by'),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'membership_agreement_status',
      sql`${t.status} IN ('draft', 'signed', 'active', 'superseded', 'withdrawn')`,
    ),
    check('membership_agreement_bandwidth', sql`${t.bandwidthMbps} > 0`),
    // Only a version that opens eduroam names the eduroam charter's contact and policy.
    check(
      'membership_agreement_eduroam_terms',
      sql`('eduroam' = ANY(${t.services})) OR (${t.eduroamContactId} IS NULL AND ${t.eduroamPolicy} IS NULL)`,
    ),
    check(
      'membership_agreement_services',
      sql`${t.services} <@ ARRAY['eduroam', 'federation', 'antispam', 'domains', 'circuits', 'ipam', 'rdns', 'routing']::text[]`,
    ),
    check(
      'membership_agreement_signature',
      sql`(${t.status} IN ('draft', 'withdrawn')) OR (${t.documentHash} IS NOT NULL AND ${t.signedDocument} IS NOT NULL AND ${t.signedAt} IS NOT NULL AND ${t.signedByName} IS NOT NULL)`,
    ),
    uniqueIndex('membership_agreement_version_key').on(t.institutionId, t.version),
    uniqueIndex('membership_agreement_one_active').on(t.institutionId).where(sql`${t.status} = 'active'`),
    uniqueIndex('membership_agreement_one_pending')
      .on(t.institutionId)
      .where(sql`${t.status} IN ('draft', 'signed')`),
  ],
);
