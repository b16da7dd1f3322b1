/**
 * Notifications: emails to institution contacts about their requests. Importing this module
 * registers the request-event listener; the hosts add `notifyJobs({ database, config })` to
 * their job runner (the listener enqueues `workflow.send-notifications` on it).
 */
import './listener.js';
import './graphql.js';

export { NotificationType } from './graphql.js';
export { type NotifyDeps, notifyJobs, SWEEP_NOTIFICATIONS } from './jobs.js';
export { notifyListener, recipientsOf, SEND_NOTIFICATIONS } from './listener.js';
export { listNotifications, retryNotifications } from './queries.js';
export {
  eventsWithPending,
  NO_SMTP,
  type NotificationRow,
  type SendOptions,
  type SendOutcome,
  sendPendingNotifications,
} from './send.js';
export { audienceFor, type MailData, subjectOf, TEMPLATES, type Template, textOf } from './templates.js';
