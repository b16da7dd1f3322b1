import { check, index, pgTable, primaryKey, sql, text, timestamp, uniqueIndex, uuid } from '@guichet/db';
import { institutions } from '@guichet/membership';
import { requests } from '../tables.js';

/**
 * The resources every line leaves behind (an assignment, a delegated zone, a domain, a circuit,
 * an eduroam site…), in one table so that the NOC queries all lines at once: each line writes
 * its row here in the same transaction as its own, with the common lifecycle and its own state.
 */

export const RESOURCE_STATES = ['requested', 'provisioning', 'active', 'disabled', 'terminated'] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];

export const resources = pgTable(
  'workflow_resources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    line: text('line').notNull(),
    /** The line's object type (`Assignment`, `ReverseDelegation`, `Domain`…). */
    type: text('type').notNull(),
    /** The line's own row. */
    objectId: uuid('object_id').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** What people call it: the prefix, the zone, the domain name… */
    name: text('name').notNull(),
    state: text('state').notNull(),
    /** The line's own state word (`quarantined`, `lame`, `redemption`…). */
    lineState: text('line_state').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('workflow_resources_object').on(t.line, t.type, t.objectId),
    index('workflow_resources_institution').on(t.institutionId, t.line, t.id),
    index('workflow_resources_line_state').on(t.line, t.state, t.id),
    check(
      'workflow_resources_state',
      sql`${t.state} IN ('requested', 'provisioning', 'active', 'disabled', 'terminated')`,
    ),
  ],
);

/** Which requests made and changed a resource. */
export const resourceRequests = pgTable(
  'workflow_resource_requests',
  {
    resourceId: uuid('resource_id')
      .notNull()
      .references(() => resources.id),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    /** `created` for the request that made it, `changed` for the later ones. */
    role: text('role').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.resourceId, t.requestId] }),
    index('workflow_resource_requests_request').on(t.requestId),
    check('workflow_resource_requests_role', sql`${t.role} IN ('created', 'changed')`),
  ],
);
