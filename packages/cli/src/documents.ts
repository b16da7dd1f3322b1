import { graphql } from './graphql.js';

/**
 * Every GraphQL document the command sends, in one place (the public API only: what a script
 * could send with curl), typed by gql.tada from schema.graphql. Shared selections are fragments
 * marked `@_unmask`, so a result reads as one plain object (the command prints it whole).
 * Error selections ask for the code and message of every typed error.
 */
/** For results that cannot be a ValidationError (GraphQL refuses a spread that can never match). */
const ERR_ONLY = graphql(`fragment ErrOnly on Error @_unmask { __typename code message }`);
const ISSUES = graphql(`fragment Issues on ValidationError @_unmask { issues { path message } }`);
const REQUEST_FIELDS = graphql(`fragment RequestFields on Request @_unmask {
  id kind status title institutionId currentStep createdAt }`);
const BULK_ITEM = graphql(`fragment BulkItemFields on BulkItem @_unmask {
  index idempotencyKey replayed request { id status } }`);

export const VIEWER = graphql('query Viewer { viewer { kind id name authMethod scope staffRoles } }');

export const REQUEST_PREFIX = graphql(
  `mutation($input: RequestPrefixInput!) { r: requestPrefix(input: $input) {
  __typename ... on RequestPrefixPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);

export const REQUEST_PREFIXES = graphql(
  `mutation($input: RequestPrefixesInput!) { r: requestPrefixes(input: $input) {
  __typename ... on RequestPrefixesPayload { dryRun succeeded failed results { __typename
    ...BulkItemFields ...ErrOnly ...Issues } } ...ErrOnly ...Issues } }`,
  [BULK_ITEM, ERR_ONLY, ISSUES],
);

export const PREFIXES = graphql(`query($id: ID!, $after: String) { institution(id: $id) { shortName
  prefixes(first: 100, after: $after) { edges { node { id prefix family lifecycle purpose site { name } } }
  pageInfo { hasNextPage endCursor } } } }`);

export const REQUESTS = graphql(
  `query($first: Int, $after: String, $institutionId: ID, $status: RequestStatus, $kind: String) {
  requests(first: $first, after: $after, institutionId: $institutionId, status: $status, kind: $kind) {
    edges { node { ...RequestFields } } pageInfo { hasNextPage endCursor } } }`,
  [REQUEST_FIELDS],
);

export const REQUEST = graphql(
  `query($id: ID!) { request(id: $id) { ...RequestFields requester reason payload updatedAt
  steps { name type state attempts lastError } } }`,
  [REQUEST_FIELDS],
);

export const CANCEL_REQUEST = graphql(
  `mutation($input: CancelRequestInput!) { r: cancelRequest(input: $input) {
  __typename ... on CancelRequestPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);

export const SUBMIT_REQUEST = graphql(
  `mutation($input: SubmitRequestInput!) { r: submitRequest(input: $input) {
  __typename ... on SubmitRequestPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
export const RESUBMIT_REQUEST = graphql(
  `mutation($input: SubmitRequestInput!) { r: resubmitRequest(input: $input) {
  __typename ... on ResubmitRequestPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);

const INSTITUTION_FIELDS = graphql(`fragment InstitutionFields on Institution @_unmask {
  id shortName name kind status collector }`);
export const INSTITUTIONS = graphql(
  `query($first: Int, $search: String) { institutions(first: $first, search: $search) {
  edges { node { ...InstitutionFields } } } }`,
  [INSTITUTION_FIELDS],
);
export const INSTITUTION = graphql(
  `query($id: ID!) { institution(id: $id) { ...InstitutionFields
  sites { id name city main } contacts { id name email roles } agreement { version status services } } }`,
  [INSTITUTION_FIELDS],
);

const TOKEN_FIELDS = graphql(`fragment TokenFields on ApiToken @_unmask {
  id name kind principal scope scriptRoles createdBy createdAt expiresAt lastUsedAt revokedAt }`);
export const TOKENS = graphql('query Tokens { tokens { ...TokenFields } }', [TOKEN_FIELDS]);
export const CREATE_TOKEN = graphql(
  `mutation($input: CreateTokenInput!) { r: createToken(input: $input) {
  __typename ... on CreateTokenPayload { secret token { ...TokenFields } } ...ErrOnly ...Issues } }`,
  [TOKEN_FIELDS, ERR_ONLY, ISSUES],
);
export const REVOKE_TOKEN = graphql(
  `mutation($id: ID!) { r: revokeToken(id: $id) {
  __typename ... on RevokeTokenPayload { token { ...TokenFields } } ...ErrOnly } }`,
  [TOKEN_FIELDS, ERR_ONLY],
);

export const RETURN_PREFIX = graphql(
  `mutation($input: ReturnPrefixInput!) { r: returnPrefix(input: $input) {
  __typename ... on ReturnPrefixPayload { request { ...RequestFields } assignment { id prefix lifecycle } }
  ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);

const TICKET_FIELDS = graphql(`fragment TicketFields on Ticket @_unmask {
  id queue state kind institutionId institutionName ownerId requestId createdAt firstResponseAt
  resolvedAt closedAt sla { responseDueAt resolutionDueAt responseBreached resolutionBreached paused } }`);
export const TICKETS = graphql(
  `query($first: Int, $after: String, $queue: String, $state: [TicketState!], $institutionId: ID,
  $ownerId: ID, $overdue: Boolean, $search: String) {
  tickets(first: $first, after: $after, queue: $queue, state: $state, institutionId: $institutionId,
    ownerId: $ownerId, overdue: $overdue, search: $search) {
    edges { node { ...TicketFields } } pageInfo { hasNextPage endCursor } } }`,
  [TICKET_FIELDS],
);
export const TICKET = graphql(
  `query($id: ID!) { ticket(id: $id) { ...TicketFields
  comments { id author visibility body createdAt } } }`,
  [TICKET_FIELDS],
);
export const TAKE_TICKET = graphql(
  `mutation($input: TakeTicketInput!) { r: takeTicket(input: $input) {
  __typename ... on TakeTicketPayload { ticket { ...TicketFields } } ...ErrOnly } }`,
  [TICKET_FIELDS, ERR_ONLY],
);
export const COMMENT_TICKET = graphql(
  `mutation($input: AddTicketCommentInput!) { r: addTicketComment(input: $input) {
  __typename ... on AddTicketCommentPayload { comment { id author visibility body createdAt } }
  ...ErrOnly ...Issues } }`,
  [ERR_ONLY, ISSUES],
);
export const APPROVE_STEP = graphql(
  `mutation($input: ApproveRequestStepInput!) { r: approveRequestStep(input: $input) {
  __typename ... on ApproveRequestStepPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
export const REQUEST_STEP = graphql(`query($id: ID!) { request(id: $id) { id status currentStep } }`);

export const ROUTING_CHANGE = graphql(
  `mutation($input: RequestRoutingChangeInput!) { r: requestRoutingChange(input: $input) {
  __typename ... on RequestRoutingChangePayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
export const ROUTING =
  graphql(`query($id: ID!) { institution(id: $id) { id shortName routing { originAs updatedAt
  collector { id name region asn } session { id name peerAddress peerAsn }
  announcements { prefix source assignmentId acceptedAt } } } }`);

export const RDNS_DELEGATE = graphql(
  `mutation($input: RequestReverseDelegationInput!) {
  r: requestReverseDelegation(input: $input) {
  __typename ... on RequestReverseDelegationPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
const DELEGATION_FIELDS = graphql(`fragment DelegationFields on ReverseDelegation @_unmask {
  id zone prefix state lastCheckAt nameservers { name addresses } }`);
export const RDNS_ZONES = graphql(
  `query($id: ID!) { institution(id: $id) { id shortName reverseZones { zone prefix kind parent
  assignmentId delegation { ...DelegationFields } } } }`,
  [DELEGATION_FIELDS],
);
export const DELEGATION = graphql(
  `query($id: ID!) { delegation(id: $id) { ...DelegationFields parentRecords
  ds { keyTag algorithm digestType digest } checks { at blocking findings { level code server message } } } }`,
  [DELEGATION_FIELDS],
);
export const RECHECK_DELEGATION = graphql(
  `mutation($id: ID!) { r: recheckDelegation(id: $id) {
  __typename ... on ReverseDelegationPayload { delegation { ...DelegationFields } } ...ErrOnly ...Issues } }`,
  [DELEGATION_FIELDS, ERR_ONLY, ISSUES],
);

export const REQUEST_ROUTING_CHANGES = graphql(
  `mutation($input: RequestRoutingChangesInput!) {
  r: requestRoutingChanges(input: $input) {
  __typename ... on RequestRoutingChangesPayload { dryRun succeeded failed results { __typename
    ...BulkItemFields ...ErrOnly ...Issues } } ...ErrOnly ...Issues } }`,
  [BULK_ITEM, ERR_ONLY, ISSUES],
);
export const REQUEST_REVERSE_DELEGATIONS = graphql(
  `mutation($input: RequestReverseDelegationsInput!) {
  r: requestReverseDelegations(input: $input) {
  __typename ... on RequestReverseDelegationsPayload { dryRun succeeded failed results { __typename
    ...BulkItemFields ...ErrOnly ...Issues } } ...ErrOnly ...Issues } }`,
  [BULK_ITEM, ERR_ONLY, ISSUES],
);

export const LOGIN = graphql(
  `mutation($username: String!, $password: String!) {
  r: login(username: $username, password: $password) {
  __typename ... on LoginPayload { token expiresAt staffRoles } ...ErrOnly } }`,
  [ERR_ONLY],
);

// The bulk mutations that are not filings: each item's result (`<Name>Done`) carries its object.
export const ACT_ON_TICKETS = graphql(
  `mutation($input: ActOnTicketsInput!) { r: actOnTickets(input: $input) {
  __typename ... on ActOnTicketsPayload { dryRun succeeded failed results { __typename
    ... on ActOnTicketsDone { index idempotencyKey replayed
      action ticket { ...TicketFields } comment { id } request { id status currentStep } }
    ...ErrOnly ...Issues } } ...ErrOnly ...Issues } }`,
  [TICKET_FIELDS, ERR_ONLY, ISSUES],
);
export const DECLARE_EDUROAM_SITES = graphql(
  `mutation($input: DeclareEduroamSitesInput!) {
  r: declareEduroamSites(input: $input) {
  __typename ... on DeclareEduroamSitesPayload { dryRun succeeded failed results { __typename
    ... on DeclareEduroamSitesDone { index idempotencyKey replayed site { id locationId } }
    ...ErrOnly ...Issues } } ...ErrOnly ...Issues } }`,
  [ERR_ONLY, ISSUES],
);

// The service lines that landed after the first commands: domains, eduroam, antispam, circuits.
export const DOMAINS = graphql(`query($id: ID!) { institution(id: $id) { id domains { id name state expiresAt
  resourceState periodYears nameservers { name addresses } } } }`);
export const REQUEST_DOMAIN = graphql(
  `mutation($input: RequestDomainInput!) { r: requestDomain(input: $input) {
  __typename ... on DomainRequestPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
const SITE_FIELDS = graphql(`fragment SiteFields on EduroamSite @_unmask {
  id locationId names { lang data } city { data } accessPoints encryption production }`);
export const EDUROAM_SITES = graphql(
  `query($id: ID!) { institution(id: $id) { id eduroam { active
  sites { ...SiteFields } } } }`,
  [SITE_FIELDS],
);
export const DECLARE_EDUROAM_SITE = graphql(
  `mutation($institutionId: ID!, $input: EduroamSiteInput!) {
  r: declareEduroamSite(institutionId: $institutionId, input: $input) {
  __typename ... on EduroamSitePayload { site { ...SiteFields } } ...ErrOnly ...Issues } }`,
  [SITE_FIELDS, ERR_ONLY, ISSUES],
);
export const ANTISPAM = graphql(`query($id: ID!) { institution(id: $id) { id antispam {
  domains { id domain state mxCheckedAt } latestOnboarding { id state requestId } } } }`);
export const REQUEST_ANTISPAM_ONBOARDING = graphql(
  `mutation($input: RequestAntispamOnboardingInput!) {
  r: requestAntispamOnboarding(input: $input) {
  __typename ... on RequestAntispamOnboardingPayload { request { ...RequestFields } } ...ErrOnly ...Issues } }`,
  [REQUEST_FIELDS, ERR_ONLY, ISSUES],
);
export const CIRCUITS =
  graphql(`query($id: ID!) { institution(id: $id) { id circuits { id reference name service
  topology state bandwidthMbps wantedFrom activatedAt } } }`);
