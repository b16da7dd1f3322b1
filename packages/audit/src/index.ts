import './graphql.js';

export { ChangeLogEntry, changeConnection, JournalEntry } from './graphql.js';
export * from './service.js';
export * from './tables.js';
