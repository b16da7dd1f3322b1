export * from './rules.js';
export * from './tables.js';
