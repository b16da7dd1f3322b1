import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from '@guichet/db';

/**
 * The change log: one row per write, in the writer's transaction (so a rolled-back change
 * leaves no trace and a committed one always has its row). Append-only: a trigger added by
 * the custom migration `audit_append_only` refuses UPDATE and DELETE.
 */
export const auditChanges = pgTable(
  'audit_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** `staff:alice`, `contact:<uuid>`, `script:<name>`, `system:<job>`. */
    actor: text('actor').notNull(),
    /** The HTTP x-request-id (or the job's id) that caused the write. */
    requestId: text('request_id').notNull(),
    /** `<package>.<verb>`: `membership.createInstitution`, `auth.revokeToken`… */
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id').notNull(),
    /** The institution the object belongs to, so contacts can be shown their own history. */
    institutionId: uuid('institution_id'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    index('audit_changes_object').on(t.objectType, t.objectId, t.id),
    index('audit_changes_institution').on(t.institutionId, t.id),
    index('audit_changes_request').on(t.requestId),
  ],
);

/** Free-text notes staff attach to any object (NetBox's JournalEntry). Append-only too. */
export const auditJournal = pgTable(
  'audit_journal',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    requestId: text('request_id').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id').notNull(),
    institutionId: uuid('institution_id'),
    /** `info`, `success`, `warning`, `danger` — how an operator flags the note. */
    kind: text('kind').notNull(),
    body: text('body').notNull(),
  },
  (t) => [index('audit_journal_object').on(t.objectType, t.objectId, t.id)],
);
