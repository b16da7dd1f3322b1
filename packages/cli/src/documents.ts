/**
 * Every GraphQL document the command sends, in one place (the public API only: what a script
 * could send with curl). Error selections ask for the code and message of every typed error.
 */
const ERR = '... on Error { __typename code message } ... on ValidationError { issues { path message } }';
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
