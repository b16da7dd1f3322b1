export * from './model.js';
export * from './rules.js';
export * from './service.js';
export type { DsJson, FindingJson, NameServerJson } from './tables.js';
export {
  checks as rdnsChecks,
  delegations as rdnsDelegations,
  parentZones as rdnsParentZones,
  parentZoneVersions as rdnsParentZoneVersions,
} from './tables.js';
export * from './workflow.js';
export { checkZoneText, type ZoneCheck } from './zonefile.js';

import './graphql.js';

export * from './check/index.js';
export { DelegationRef, DelegationStateEnum } from './graphql.js';
export { type KnotTarget, publishToKnot } from './publish.js';
