import { check, index, jsonb, pgTable, primaryKey, sql, text, timestamp } from '@guichet/db';

/**
 * Idempotency keys: the first answer of a mutation (or of one bulk item) kept under the key
 * the caller chose, so that a script's re-run replays it instead of doing the work again.
 * One key space per actor: two institutions may pick the same key without seeing each other.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** `actorLabel` of the credential's identity (`contact:<id>`, `staff:<username>`, `script:<name>`). */
    actor: text('actor').notNull(),
    key: text('key').notNull(),
    /** sha256 of the operation and its variables (or of the bulk item): another input is a conflict. */
    hash: text('hash').notNull(),
    /** `running` while the first call executes, `done` once its answer is stored. */
    state: text('state').notNull(),
    /** The answer replayed to a repeat (null while running). */
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /**
     * A running claim lapses at this time: a process that died mid-call must not hold the key
     * until it expires. Past it, a repeat with the same input takes the claim over.
     */
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.actor, t.key] }),
    check('idempotency_keys_state', sql`${t.state} IN ('running', 'done')`),
    index('idempotency_keys_expires').on(t.expiresAt),
  ],
);
