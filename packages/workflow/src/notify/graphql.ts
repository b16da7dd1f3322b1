import { ValidationError } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { listNotifications, retryNotifications } from './queries.js';
import type { NotificationRow } from './send.js';
import type { Template } from './templates.js';

/** Notifications in the schema: staff only, since they show contacts' addresses. */

const TemplateEnum = builder.enumType('NotificationTemplate', {
  description: 'Which email a notification is (see the notification matrix in the workflow README).',
  values: {
    RECEIVED: {
      value: 'received',
      description: 'The request was submitted: to the requester and technical contacts.',
    },
    ACTION_NEEDED: {
      value: 'action_needed',
      description: 'Guichet opened a request itself (a problem found by a check): to the technical contacts.',
    },
    SIGNATURE_NEEDED: { value: 'signature_needed', description: 'A step waits for the head of institution.' },
    RETURNED: { value: 'returned', description: 'Returned to the institution for changes, with the reason.' },
    COMPLETED: { value: 'completed', description: 'The request was completed.' },
    REJECTED: { value: 'rejected', description: 'The request was rejected, with the reason.' },
  } satisfies Record<string, { value: Template; description: string }>,
});

const StatusEnum = builder.enumType('NotificationStatus', {
  description: 'Delivery of a notification to the mail relay.',
  values: {
    PENDING: { value: 'pending', description: 'Not sent yet (see lastError for why, if it was tried).' },
    SENT: { value: 'sent', description: 'Accepted by the mail relay.' },
    FAILED: {
      value: 'failed',
      description: 'Refused for good by the relay, or out of retries: retryNotifications resends it.',
    },
  } as const,
});

export const NotificationType = builder.objectRef<NotificationRow>('Notification').implement({
  description: 'An email Guichet decided to send about a request, and what became of it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier; also in the email’s Message-ID.' }),
    requestId: t.exposeID('requestId', { description: 'The request it is about.' }),
    template: t.field({
      type: TemplateEnum,
      description: 'What it says.',
      resolve: (n) => n.template as Template,
    }),
    recipient: t.exposeString('recipient', { description: 'The address it goes to.' }),
    status: t.field({
      type: StatusEnum,
      description: 'What became of it.',
      resolve: (n) => n.status as 'pending',
    }),
    messageId: t.exposeString('messageId', {
      nullable: true,
      description: 'The Message-ID the relay accepted.',
    }),
    sentAt: t.expose('sentAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the relay accepted it.',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the latest attempt failed, if one did.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was decided.' }),
  }),
});

builder.queryField('notifications', (t) =>
  t.field({
    type: [NotificationType],
    description:
      "The emails about one request and their delivery (staff only: addresses are contacts' personal data).",
    authScopes: { staff: true },
    args: { requestId: t.arg.id({ required: true, description: 'The request.' }) },
    resolve: (_r, { requestId }, { database }) => listNotifications(database.db, String(requestId)),
  }),
);

const RetryNotificationsPayload = builder.simpleObject('RetryNotificationsPayload', {
  description: 'The notifications put back in the send queue.',
  fields: (t) => ({
    notifications: t.field({
      type: [NotificationType],
      description: 'Those that had failed, now pending again.',
    }),
  }),
});

builder.mutationField('retryNotifications', (t) =>
  t.field({
    type: RetryNotificationsPayload,
    description: "Sends a request's failed notifications again, e.g. after a mail relay outage (NOC, desk).",
    authScopes: { $all: { write: true, staff: true } },
    errors: { types: [ValidationError] },
    args: {
      input: t.arg({
        required: true,
        description: 'Which request.',
        type: builder.inputType('RetryNotificationsInput', {
          description: 'A request whose failed notifications to resend.',
          fields: (f) => ({ requestId: f.id({ description: 'The request.' }) }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx, env }) => ({
      notifications: await retryNotifications(database.db, ctx, env, String(input.requestId)),
    }),
  }),
);
