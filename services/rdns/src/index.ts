/**
 * @guichet/rdns: reverse-zone delegation. Other code (services/compose and the hosts) uses
 * this entry only. The DNS machinery itself (client, checker, zone rendering, Knot) is in
 * @guichet/dns.
 */
import './workflow.js';
import './graphql/index.js';

export * from './config.js';
export { DelegationRef, DelegationStateEnum, ParentZoneRef } from './graphql/index.js';
export { RECHECK_JOB, rdnsJobs, SYNC_JOB } from './jobs.js';
export { rdnsLine } from './line.js';
export * from './model.js';
export * from './rules.js';
export * from './service/delegations.js';
export { type CreateParentZoneInput, createParentZone, listParentZones } from './service/parent-zones.js';
export * from './service/publication.js';
export * from './service/recheck.js';
export type { DsJson, FindingJson, NameServerJson } from './tables.js';
export {
  checks as rdnsChecks,
  delegations as rdnsDelegations,
  parentZones as rdnsParentZones,
  parentZoneVersions as rdnsParentZoneVersions,
} from './tables.js';
export * from './workflow.js';
