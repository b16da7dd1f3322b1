/**
 * The circuits GraphQL face: importing this file registers its types and fields on the shared
 * builder (services/api composes the schema).
 */
import './inventory-types.js';
import './types.js';
import './queries.js';
import './mutations.js';
import './inventory-mutations.js';
