export * from './create.js';
export * from './env.js';
export * from './line.js';
