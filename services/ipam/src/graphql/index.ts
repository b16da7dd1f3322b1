/**
 * The ipam GraphQL face: importing this file registers its types and fields on the shared
 * builder (services/api composes the schema).
 */
import './types.js';
import './queries.js';
import './mutations.js';
import './pool-mutations.js';
import './registry.js';

export { AssignmentRef, IpFamilyEnum, PoolRef, ReservationRef } from './types.js';
