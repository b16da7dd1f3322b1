export * from './check.js';
export * from './pe-config.js';
