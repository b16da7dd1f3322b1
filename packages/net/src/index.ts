export * from './address.js';
export * from './domain.js';
