export * from './client.js';
export * from './errors.js';
export * from './rows.js';
export * from './schema.js';
export * from './tables.js';
export { currentTemplate, migrationNames, templateDigest, templateFile, writeTemplate } from './template.js';
export * from './unavailable.js';
