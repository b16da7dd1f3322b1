/**
 * Tickets: the NOC's view of requests. Importing this module registers the request-event
 * listener (listener.ts) and the GraphQL types and fields (graphql/tickets.ts).
 */
import './listener.js';
import '../graphql/tickets.js';

export { SlaClockType, TicketCommentType, TicketStateEnum, TicketType } from './graphql-types.js';
export { ticketListener } from './listener.js';
export {
  getTicket,
  listComments,
  listTickets,
  overdueCondition,
  type TicketFilter,
  type TicketView,
  ticketCursor,
  ticketForRequest,
} from './queries.js';
export {
  canApply,
  DEFAULT_SLA,
  type Escalation,
  nextState,
  type SlaClock,
  type SlaTargets,
  slaClock,
  TICKET_ACTIONS,
  TICKET_STATES,
  type TicketAction,
  type TicketState,
  TRANSITIONS,
} from './rules.js';
export {
  addComment,
  assignTicket,
  COMMENT_VISIBILITIES,
  type CommentInput,
  type CommentRow,
  type CommentVisibility,
  canAssignTickets,
  canWorkTickets,
  releaseTicket,
  type TicketRow,
  takeTicket,
} from './service.js';
export { kindTitle, queueOf, setSlaTargets, slaTargets } from './targets.js';
