import './scalars.js';
import './errors.js';

export { type AuthScopes, builder, type GraphQLContext, type Scalars } from './builder.js';
export { type ConnectionArgs, cursorInstant, keysetConnection } from './connection.js';
export { ErrorCodeEnum, ErrorInterface } from './errors.js';
export { batchLoader, groupByKey, selects } from './loaders.js';
export * from './scopes.js';
export { DEFAULT_MAX_LENGTH, jsonTextProblem, shorten, textProblem, truncateEcho } from './text.js';
