import './workflow.js';
import './graphql/index.js';

export * from './config.js';
export { DEMO_POOLS, DEMO_RPSL } from './demo.js';
export { driftJob, lastDriftReport, ripeDriftReport, storeDriftReport } from './drift.js';
/**
 * @guichet/ipam: pools, assignments and reservations of IPv4/IPv6 space under RIPE NCC rules.
 * Other code (services/api, services/worker, rdns and routing) uses this entry only.
 */
export { AssignmentRef, IpFamilyEnum, PoolRef, ReservationRef } from './graphql/index.js';
// The reads behind Institution.prefixes and Assignment.pool, for the bench to time what they run.
export { listAssignmentsOfInstitutions, type PrefixPages, poolsByIds } from './graphql/prefix-pages.js';
export { prefixCursor } from './graphql/read.js';
export { importRpsl } from './import.js';
export { ipamJobs, releaseJob } from './jobs.js';
export { ipamLine } from './line.js';
export * from './model.js';
export {
  deregisterAssignment,
  ipamRuntime,
  registerAssignment,
  registrationObject,
  ripeClientFor,
  ripeSettings,
} from './register.js';
export * from './rpsl/index.js';
export * from './rules.js';
export { type AllocateInput, type AssignInput, allocatePrefix, assignPrefix } from './service/allocate.js';
export { ASSIGNMENT_RETURNED } from './service/hooks.js';
export type { AssignmentRow, PoolRow, ReservationRow } from './service/internal.js';
export {
  activateAssignment,
  DEFAULT_QUARANTINE_DAYS,
  freeAssignment,
  quarantineAssignment,
  type ReserveInput,
  releaseExpired,
  releaseReservation,
  reservePrefix,
  returnAssignment,
} from './service/lifecycle.js';
export {
  type CreatePoolInput,
  createPool,
  type RetirePoolInput,
  retirePool,
  type UpdatePoolInput,
  updatePool,
} from './service/pools.js';
export { ASSIGNMENT_RESOURCE_STATE, recordAssignment } from './service/resource.js';
export * from './tables.js';
export {
  autoApproval,
  isStandard,
  PREFIX_KIND,
  PREFIX_REQUEST,
  type PrefixRequest,
  prefixRequestSchema,
  RETURN_KIND,
  RETURN_REQUEST,
  returnRequestSchema,
} from './workflow.js';
