export * from './database.js';
export * from './slapd.js';
export * from './smtp.js';
