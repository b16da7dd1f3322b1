export * from './bogons.js';
export * from './check.js';
export * from './model.js';
export * from './types.js';
