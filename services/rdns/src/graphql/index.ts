/** Importing this folder registers the rdns GraphQL types, queries and mutations. */
import './types.js';
import './queries.js';
import './mutations.js';

export { DelegationRef, DelegationStateEnum, ParentZoneRef } from './types.js';
