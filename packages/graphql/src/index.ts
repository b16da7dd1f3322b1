import './scalars.js';
import './errors.js';

export { type AuthScopes, builder, type GraphQLContext, type Scalars } from './builder.js';
export { type ConnectionArgs, keysetConnection } from './connection.js';
export { ErrorCodeEnum, ErrorInterface } from './errors.js';
export * from './scopes.js';
