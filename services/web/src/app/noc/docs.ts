import { graphql } from '../graphql';

/**
 * The NOC console's GraphQL documents. The queue's page query is split in two: the filter
 * choices (read once) and the tickets (read again on each live event), so a reload costs one
 * connection page. Every document stays well under the api's cost limit (5,000).
 */

export const FILTER_CHOICES = graphql(`
  query NocFilterChoices {
    viewer { id staffRoles scope }
    requestKinds { kind queue }
    institutions(first: 100) { edges { node { id name } } }
  }
`);

export const TICKET_ROW = graphql(`
  fragment NocTicketRow on Ticket {
    id
    requestId
    queue
    state
    kind
    institutionName
    ownerId
    createdAt
    currentStep
    pendingActor
    sla {
      paused
      responseDueAt
      resolutionDueAt
      responseBreached
      resolutionBreached
      responseElapsedRatio
      resolutionElapsedRatio
    }
  }
`);

export const QUEUE = graphql(
  `
  query NocQueue(
    $first: Int!
    $after: String
    $queue: String
    $state: [TicketState!]
    $institutionId: ID
    $ownerId: ID
    $overdue: Boolean
  ) {
    tickets(
      first: $first
      after: $after
      queue: $queue
      state: $state
      institutionId: $institutionId
      ownerId: $ownerId
      overdue: $overdue
    ) {
      edges { cursor node { ...NocTicketRow } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [TICKET_ROW],
);

export const TICKET = graphql(
  `
  query NocTicket($id: ID!, $objectId: String!) {
    viewer { id staffRoles scope }
    ticket(id: $id) {
      ...NocTicketRow
      institutionId
      firstResponseAt
      resolvedAt
      closedAt
      comments { id author body createdAt visibility }
    }
    changes(objectId: $objectId, first: 50) {
      edges { node { id at actor action } }
    }
    journal(objectType: "Ticket", objectId: $objectId) { id at actor kind body }
  }
`,
  [TICKET_ROW],
);

export const TAKE = graphql(`
  mutation TakeTicket($ticketId: ID!) {
    takeTicket(input: { ticketId: $ticketId }) { __typename ... on Error { code message } }
  }
`);

export const ASSIGN = graphql(`
  mutation AssignTicket($ticketId: ID!, $staffId: ID!) {
    assignTicket(input: { ticketId: $ticketId, staffId: $staffId }) {
      __typename ... on Error { code message } ... on ValidationError { issues { path message } }
    }
  }
`);

export const RELEASE = graphql(`
  mutation ReleaseTicket($ticketId: ID!) {
    releaseTicket(input: { ticketId: $ticketId }) { __typename ... on Error { code message } }
  }
`);

export const APPROVE = graphql(`
  mutation ApproveStep($requestId: ID!, $step: String!) {
    approveRequestStep(input: { requestId: $requestId, step: $step }) {
      __typename ... on Error { code message } ... on ValidationError { issues { path message } }
    }
  }
`);

export const RETURN = graphql(`
  mutation ReturnRequest($requestId: ID!, $step: String, $reason: String!) {
    returnRequest(input: { requestId: $requestId, step: $step, reason: $reason }) {
      __typename ... on Error { code message } ... on ValidationError { issues { path message } }
    }
  }
`);

export const REJECT = graphql(`
  mutation RejectRequest($requestId: ID!, $step: String, $reason: String!) {
    rejectRequest(input: { requestId: $requestId, step: $step, reason: $reason }) {
      __typename ... on Error { code message } ... on ValidationError { issues { path message } }
    }
  }
`);

export const COMMENT = graphql(`
  mutation AddTicketComment($ticketId: ID!, $body: String!, $visibility: CommentVisibility!) {
    addTicketComment(input: { ticketId: $ticketId, body: $body, visibility: $visibility }) {
      __typename ... on Error { code message } ... on ValidationError { issues { path message } }
    }
  }
`);

/** What every mutation above answers: its payload's name, or a typed error. */
export interface Outcome {
  __typename: string;
  code?: string;
  message?: string;
  issues?: readonly { path: readonly string[]; message: string }[];
}

/** A typed error as one line for a person; undefined when the mutation succeeded. */
export function problem(o: Outcome): string | undefined {
  if (!o.message) return undefined;
  const detail = o.issues?.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return detail ? `${o.message} (${detail})` : o.message;
}

/** Who may own a ticket: the assignee picker's choices (staff accounts with the NOC role). */
export const NOC_STAFF = graphql(`
  query NocStaff { staffMembers(role: NOC) { id username displayName } }
`);

/** Bulk actions: one call, one result per item in the order of the items. */
export const ACT_ON_TICKETS = graphql(`
  mutation ActOnTickets($items: [ActOnTicketsItem!]!) {
    actOnTickets(input: { items: $items }) {
      __typename
      ... on Error { code message }
      ... on ValidationError { issues { path message } }
      ... on ActOnTicketsPayload {
        results {
          __typename
          ... on ActOnTicketsDone { index }
          ... on Error { code message }
          ... on ValidationError { issues { path message } }
        }
      }
    }
  }
`);
