import './graphql.js';

export { ResourceRef, ResourceStateEnum } from './graphql.js';
export * from './service.js';
export * from './tables.js';
