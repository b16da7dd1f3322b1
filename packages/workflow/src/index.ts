/**
 * @guichet/workflow: requests and their step engine (requests/, kinds.ts, rules.ts), the NOC's
 * tickets (tickets/) and the emails to institutions (notify/). Importing the package registers
 * the ticket and notification listeners and every GraphQL type and field of the package.
 */
import './graphql/kinds.js';
import './graphql/requests.js';
import './graphql/request-record.js';
import './graphql/subscriptions.js';
import './graphql/ticket-subscriptions.js';
import './graphql/ticket-bulk.js';
import './requests/graphql.js';
import './kinds/index.js';
import './tickets/index.js';
import './notify/index.js';
import './resources/index.js';

export * from './events.js';
export {
  BULK_MAX_ITEMS,
  type BulkMutationOptions,
  type BulkOutcome,
  bulkMutation,
  underItem,
} from './graphql/bulk-mutation.js';
export { bulkRequestMutation } from './graphql/bulk-request-mutation.js';
export { fileOnce } from './graphql/keyed-filing.js';
export { RequestKindType, StepActorEnum, StepTypeEnum } from './graphql/kinds.js';
export { endSubscriptions } from './graphql/poller.js';
export {
  opt,
  optId,
  type RequestMutationOptions,
  requestMutation,
  submitField,
} from './graphql/request-mutation.js';
export {
  parseJson,
  REQUEST_ERRORS,
  RequestRef,
  RequestStatusEnum,
  requestPayload,
} from './graphql/requests.js';
export * from './idempotency/index.js';
export * from './kinds/index.js';
export * from './kinds.js';
export * from './line/index.js';
export * from './notify/index.js';
export * from './requests/index.js';
export * from './resources/index.js';
export * from './rules.js';
// Both the request lifecycle and the ticket lifecycle have a transition table.
export { TRANSITIONS } from './rules.js';
export * from './tables.js';
export * from './tickets/index.js';
export { TRANSITIONS as TICKET_TRANSITIONS } from './tickets/index.js';
