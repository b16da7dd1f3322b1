export * from './actor.js';
export * from './config.js';
export * from './context.js';
export * from './errors.js';
export * from './ids.js';
export * from './logger.js';
export * from './secrets.js';
