/**
 * Every GraphQL document the command sends, in one place (the public API only: what a script
 * could send with curl). Error selections ask for the code and message of every typed error.
 */
/** For results that cannot be a ValidationError (GraphQL refuses a spread that can never match). */
const ERR_ONLY = '... on Error { __typename code message }';
const ERR = `${ERR_ONLY} ... on ValidationError { issues { path message } }`;
const REQUEST_FIELDS = 'id kind status title institutionId currentStep createdAt';

export const VIEWER = '{ viewer { kind id name authMethod scope staffRoles } }';

export const REQUEST_PREFIX = `mutation($input: RequestPrefixInput!) { r: requestPrefix(input: $input) {
  __typename ... on RequestPrefixPayload { request { ${REQUEST_FIELDS} } } ${ERR} } }`;

export const REQUEST_PREFIXES = `mutation($input: RequestPrefixesInput!) { r: requestPrefixes(input: $input) {
  __typename ... on RequestPrefixesPayload { dryRun succeeded failed results { __typename
    ... on BulkItem { index idempotencyKey replayed request { id status } } ${ERR} } } ${ERR} } }`;

export const PREFIXES = `query($id: ID!, $after: String) { institution(id: $id) { shortName
  prefixes(first: 100, after: $after) { edges { node { id prefix family lifecycle purpose site { name } } }
  pageInfo { hasNextPage endCursor } } } }`;

export const REQUESTS = `query($first: Int, $after: String, $institutionId: ID, $status: RequestStatus, $kind: String) {
  requests(first: $first, after: $after, institutionId: $institutionId, status: $status, kind: $kind) {
    edges { node { ${REQUEST_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

export const REQUEST = `query($id: ID!) { request(id: $id) { ${REQUEST_FIELDS} requester reason payload updatedAt
  steps { name type state attempts lastError } } }`;

export const CANCEL_REQUEST = `mutation($input: CancelRequestInput!) { r: cancelRequest(input: $input) {
  __typename ... on CancelRequestPayload { request { ${REQUEST_FIELDS} } } ${ERR} } }`;

const RESULT = (payload: string) => `__typename ... on ${payload} { request { ${REQUEST_FIELDS} } } ${ERR}`;
export const SUBMIT_REQUEST = `mutation($input: SubmitRequestInput!) { r: submitRequest(input: $input) {
  ${RESULT('SubmitRequestPayload')} } }`;
export const RESUBMIT_REQUEST = `mutation($input: SubmitRequestInput!) { r: resubmitRequest(input: $input) {
  ${RESULT('ResubmitRequestPayload')} } }`;

const INSTITUTION_FIELDS = 'id shortName name kind status collector';
export const INSTITUTIONS = `query($first: Int, $search: String) { institutions(first: $first, search: $search) {
  edges { node { ${INSTITUTION_FIELDS} } } } }`;
export const INSTITUTION = `query($id: ID!) { institution(id: $id) { ${INSTITUTION_FIELDS}
  sites { id name city main } contacts { id name email roles } agreement { version status services } } }`;

const TOKEN_FIELDS =
  'id name kind principal scope scriptRoles createdBy createdAt expiresAt lastUsedAt revokedAt';
export const TOKENS = `{ tokens { ${TOKEN_FIELDS} } }`;
export const CREATE_TOKEN = `mutation($input: CreateTokenInput!) { r: createToken(input: $input) {
  __typename ... on CreateTokenPayload { secret token { ${TOKEN_FIELDS} } } ${ERR} } }`;
export const REVOKE_TOKEN = `mutation($id: ID!) { r: revokeToken(id: $id) {
  __typename ... on RevokeTokenPayload { token { ${TOKEN_FIELDS} } } ${ERR_ONLY} } }`;

export const RETURN_PREFIX = `mutation($input: ReturnPrefixInput!) { r: returnPrefix(input: $input) {
  __typename ... on ReturnPrefixPayload { request { ${REQUEST_FIELDS} } assignment { id prefix lifecycle } } ${ERR} } }`;

const TICKET_FIELDS = `id queue state kind institutionId institutionName ownerId requestId createdAt firstResponseAt
  resolvedAt closedAt sla { responseDueAt resolutionDueAt responseBreached resolutionBreached paused }`;
export const TICKETS = `query($first: Int, $after: String, $queue: String, $state: [TicketState!], $institutionId: ID,
  $ownerId: ID, $overdue: Boolean, $search: String) {
  tickets(first: $first, after: $after, queue: $queue, state: $state, institutionId: $institutionId,
    ownerId: $ownerId, overdue: $overdue, search: $search) {
    edges { node { ${TICKET_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
export const TICKET = `query($id: ID!) { ticket(id: $id) { ${TICKET_FIELDS}
  comments { id author visibility body createdAt } } }`;
export const TAKE_TICKET = `mutation($input: TakeTicketInput!) { r: takeTicket(input: $input) {
  __typename ... on TakeTicketPayload { ticket { ${TICKET_FIELDS} } } ${ERR_ONLY} } }`;
export const COMMENT_TICKET = `mutation($input: AddTicketCommentInput!) { r: addTicketComment(input: $input) {
  __typename ... on AddTicketCommentPayload { comment { id author visibility body createdAt } } ${ERR} } }`;
export const APPROVE_STEP = `mutation($input: ApproveRequestStepInput!) { r: approveRequestStep(input: $input) {
  ${RESULT('ApproveRequestStepPayload')} } }`;
export const REQUEST_STEP = `query($id: ID!) { request(id: $id) { id status currentStep } }`;

export const ROUTING_CHANGE = `mutation($input: RequestRoutingChangeInput!) { r: requestRoutingChange(input: $input) {
  ${RESULT('RequestRoutingChangePayload')} } }`;
export const ROUTING = `query($id: ID!) { institution(id: $id) { id shortName routing { originAs updatedAt
  collector { id name region asn } session { id name peerAddress peerAsn }
  announcements { prefix source assignmentId acceptedAt } } } }`;

export const RDNS_DELEGATE = `mutation($input: RequestReverseDelegationInput!) { r: requestReverseDelegation(input: $input) {
  ${RESULT('RequestReverseDelegationPayload')} } }`;
const DELEGATION_FIELDS = 'id zone prefix state lastCheckAt nameservers { name addresses }';
export const RDNS_ZONES = `query($id: ID!) { institution(id: $id) { id shortName reverseZones { zone prefix kind parent
  assignmentId delegation { ${DELEGATION_FIELDS} } } } }`;
export const DELEGATION = `query($id: ID!) { delegation(id: $id) { ${DELEGATION_FIELDS} parentRecords
  ds { keyTag algorithm digestType digest } checks { at blocking findings { level code server message } } } }`;
export const RECHECK_DELEGATION = `mutation($id: ID!) { r: recheckDelegation(id: $id) {
  __typename ... on ReverseDelegationPayload { delegation { ${DELEGATION_FIELDS} } } ${ERR} } }`;

const BULK = (
  name: string,
  payload: string,
  input: string,
) => `mutation($input: ${input}!) { r: ${name}(input: $input) {
  __typename ... on ${payload} { dryRun succeeded failed results { __typename
    ... on BulkItem { index idempotencyKey replayed request { id status } } ${ERR} } } ${ERR} } }`;
export const REQUEST_ROUTING_CHANGES = BULK(
  'requestRoutingChanges',
  'RequestRoutingChangesPayload',
  'RequestRoutingChangesInput',
);
export const REQUEST_REVERSE_DELEGATIONS = BULK(
  'requestReverseDelegations',
  'RequestReverseDelegationsPayload',
  'RequestReverseDelegationsInput',
);

export const LOGIN = `mutation($username: String!, $password: String!) { r: login(username: $username, password: $password) {
  __typename ... on LoginPayload { token expiresAt staffRoles } ${ERR_ONLY} } }`;

/** The bulk mutations that are not filings: each item's result carries its object. */
const BULK_OF = (name: string, input: string, payload: string, done: string, fields: string) =>
  `mutation($input: ${input}!) { r: ${name}(input: $input) {
  __typename ... on ${payload} { dryRun succeeded failed results { __typename
    ... on ${done} { index idempotencyKey replayed ${fields} } ${ERR} } } ${ERR} } }`;
export const ACT_ON_TICKETS = BULK_OF(
  'actOnTickets',
  'ActOnTicketsInput',
  'ActOnTicketsPayload',
  'ActOnTicketsDone',
  `action ticket { ${TICKET_FIELDS} } comment { id } request { id status currentStep }`,
);
export const DECLARE_EDUROAM_SITES = BULK_OF(
  'declareEduroamSites',
  'DeclareEduroamSitesInput',
  'DeclareEduroamSitesPayload',
  'DeclareEduroamSitesDone',
  'site { id locationId }',
);

// The service lines that landed after the first commands: domains, eduroam, antispam, circuits.
export const DOMAINS = `query($id: ID!) { institution(id: $id) { id domains { id name state expiresAt
  resourceState periodYears nameservers { name addresses } } } }`;
export const REQUEST_DOMAIN = `mutation($input: RequestDomainInput!) { r: requestDomain(input: $input) {
  ${RESULT('DomainRequestPayload')} } }`;
const SITE_FIELDS = 'id locationId names { lang data } city { data } accessPoints encryption production';
export const EDUROAM_SITES = `query($id: ID!) { institution(id: $id) { id eduroam { active
  sites { ${SITE_FIELDS} } } } }`;
export const DECLARE_EDUROAM_SITE = `mutation($institutionId: ID!, $input: EduroamSiteInput!) {
  r: declareEduroamSite(institutionId: $institutionId, input: $input) {
  __typename ... on EduroamSitePayload { site { ${SITE_FIELDS} } } ${ERR} } }`;
export const ANTISPAM = `query($id: ID!) { institution(id: $id) { id antispam { domains { id domain state mxCheckedAt }
  latestOnboarding { id state requestId } } } }`;
export const REQUEST_ANTISPAM_ONBOARDING = `mutation($input: RequestAntispamOnboardingInput!) {
  r: requestAntispamOnboarding(input: $input) { ${RESULT('RequestAntispamOnboardingPayload')} } }`;
export const CIRCUITS = `query($id: ID!) { institution(id: $id) { id circuits { id reference name service
  topology state bandwidthMbps wantedFrom activatedAt } } }`;
