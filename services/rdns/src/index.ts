export * from './lame.js';
export * from './model.js';
export * from './publication.js';
export * from './recheck.js';
export * from './rules.js';
export * from './runtime.js';
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
import './graphql-parent.js';

export * from './check/index.js';
export { DelegationRef, DelegationStateEnum } from './graphql.js';
export { ParentZoneRef } from './graphql-parent.js';
export {
  type CreateParentZoneInput,
  createParentZone,
  listParentZones,
  type ParentZoneRow,
} from './parent-zones.js';
export { type KnotTarget, publishToKnot } from './publish.js';
