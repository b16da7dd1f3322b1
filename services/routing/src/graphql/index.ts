/**
 * The routing GraphQL face: importing this file registers its types and fields on the shared
 * builder (services/api composes the schema).
 */
import './types.js';
import './queries.js';
import './mutations.js';

export { CollectorRef, InstitutionRoutingRef, RenderedConfigRef, SessionRef } from './types.js';
