import {
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
import { institutions } from '@guichet/membership';

/**
 * Requests, their append-only history, their step runs, and the NOC's tickets. Status values
 * are CHECKed here; which transitions are allowed is `rules.ts` (tested exhaustively).
 */

export const REQUEST_STATUSES = [
  'draft',
  'in_progress',
  'returned',
  'completed',
  'rejected',
  'cancelled',
  'failed',
] as const;

export const requests = pgTable(
  'workflow_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `membership.agreementChange`, `ipam.prefix`… — a registered kind. */
    kind: text('kind').notNull(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** Actor label of whoever filed it (`contact:<id>`, `staff:<username>`). */
    requester: text('requester').notNull(),
    /** The contact who filed it, when a contact did (notifications go to them). */
    requesterContactId: uuid('requester_contact_id'),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull(),
    /** Name of the step the request waits on (null in draft and in final states). */
    currentStep: text('current_step'),
    /** Why it was returned, rejected, cancelled or failed. */
    reason: text('reason'),
    /** Bumped by every change: an amendment names the revision it amends (optimistic lock). */
    revision: integer('revision').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    check(
      'workflow_requests_status',
      sql`${t.status} IN ('draft', 'in_progress', 'returned', 'completed', 'rejected', 'cancelled', 'failed')`,
    ),
    index('workflow_requests_institution').on(t.institutionId, t.createdAt),
    index('workflow_requests_status').on(t.status, t.kind),
  ],
);

/** Append-only history of a request: every transition and step action, with actor and HTTP request id. */
export const requestEvents = pgTable(
  'workflow_request_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    httpRequestId: text('http_request_id').notNull(),
    /** `filed`, `submitted`, `amended`, `step_completed`, `returned`, `resubmitted`, `rejected`, `completed`, `cancelled`, `failed`, `retried`, `commented`. */
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    step: text('step'),
    note: text('note'),
    data: jsonb('data'),
  },
  (t) => [index('workflow_request_events_request').on(t.requestId, t.id)],
);

/** One row per step per pass (a returned-then-resubmitted request runs its steps again). */
export const stepRuns = pgTable(
  'workflow_step_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    /** Which submission of the request (1, then 2 after a resubmission…). */
    pass: integer('pass').notNull(),
    step: text('step').notNull(),
    type: text('type').notNull(),
    status: text('status').notNull(),
    /** For external steps: the job, its attempts and its last error. */
    jobId: text('job_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Who acted on a human step. */
    actedBy: text('acted_by'),
    actedAt: timestamp('acted_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    check('workflow_step_runs_type', sql`${t.type} IN ('automatic', 'human', 'external')`),
    check(
      'workflow_step_runs_status',
      sql`${t.status} IN ('pending', 'running', 'done', 'failed', 'skipped')`,
    ),
    uniqueIndex('workflow_step_runs_key').on(t.requestId, t.pass, t.step),
  ],
);

/**
 * The NOC's view of a request. SLA policy: both clocks start at submission; the clock is
 * paused while the request waits on the institution (returned, or a step the institution must
 * act on, such as the head's signature) — like Zammad, unlike OTRS — and resumes when the
 * ball is back with the operator. Due times are stored net of pauses taken so far.
 */
export const tickets = pgTable(
  'workflow_tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    institutionId: uuid('institution_id').notNull(),
    /** One queue per service line (`membership`, `ipam`…). */
    queue: text('queue').notNull(),
    /** Staff id of the owner, if someone took it. */
    ownerId: uuid('owner_id'),
    state: text('state').notNull(),
    responseDueAt: timestamp('response_due_at', { withTimezone: true }).notNull(),
    resolutionDueAt: timestamp('resolution_due_at', { withTimezone: true }).notNull(),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    pausedSince: timestamp('paused_since', { withTimezone: true }),
    pausedSeconds: integer('paused_seconds').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The kind's SLA targets when the ticket was opened: a later change of the targets must not
     * move the goalposts of tickets already running, and the elapsed ratio needs the target.
     */
    responseMinutes: integer('response_minutes').notNull().default(240),
    resolutionMinutes: integer('resolution_minutes').notNull().default(7200),
    /** When the request was rejected or cancelled (the resolution clock stops there too). */
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    check('workflow_tickets_state', sql`${t.state} IN ('new', 'open', 'waiting', 'resolved', 'closed')`),
    // A paused clock and the waiting state are the same fact: tickets/ keeps them together.
    check('workflow_tickets_paused', sql`(${t.state} = 'waiting') = (${t.pausedSince} IS NOT NULL)`),
    check('workflow_tickets_targets', sql`${t.responseMinutes} > 0 AND ${t.resolutionMinutes} > 0`),
    uniqueIndex('workflow_tickets_request').on(t.requestId),
    index('workflow_tickets_queue').on(t.queue, t.state),
    index('workflow_tickets_institution').on(t.institutionId),
    // Keyset order of the ticket list (newest first).
    index('workflow_tickets_created').on(t.createdAt, t.id),
    index('workflow_tickets_owner').on(t.ownerId).where(sql`${t.ownerId} IS NOT NULL`),
    // The overdue filter on running clocks: `due < now` on these partial indexes.
    index('workflow_tickets_resolution_due').on(t.resolutionDueAt).where(sql`${t.state} IN ('new', 'open')`),
    index('workflow_tickets_response_due')
      .on(t.responseDueAt)
      .where(sql`${t.state} IN ('new', 'open') AND ${t.firstResponseAt} IS NULL`),
    // Paused tickets are compared with their own pause start: this index finds them all.
    index('workflow_tickets_waiting').on(t.pausedSince).where(sql`${t.state} = 'waiting'`),
  ],
);

export const comments = pgTable(
  'workflow_comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    author: text('author').notNull(),
    body: text('body').notNull(),
    /** `internal` (staff only) or `institution` (its contacts see it too). */
    visibility: text('visibility').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('workflow_comments_visibility', sql`${t.visibility} IN ('internal', 'institution')`),
    index('workflow_comments_ticket').on(t.ticketId, t.createdAt),
  ],
);

/** Every email Guichet decided to send: one row per (request, event, recipient) — the job is idempotent on it. */
export const notifications = pgTable(
  'workflow_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => requests.id),
    /** The request event id that caused it. */
    eventId: integer('event_id').notNull(),
    /** `received`, `signature_needed`, `returned`, `completed`, `rejected`. */
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    status: text('status').notNull().default('pending'),
    messageId: text('message_id'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /**
     * A sender claims a pending row until this moment before talking to the mail relay, so two
     * senders (the event's job and the sweep) never send the same row twice; a crashed
     * sender's claim simply expires.
     */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
  },
  (t) => [
    check('workflow_notifications_status', sql`${t.status} IN ('pending', 'sent', 'failed')`),
    uniqueIndex('workflow_notifications_key').on(t.eventId, t.recipient),
    index('workflow_notifications_request').on(t.requestId, t.createdAt),
  ],
);
