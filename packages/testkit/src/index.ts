export * from './database.js';
export * from './slapd.js';
