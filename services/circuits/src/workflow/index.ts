export * from './changes.js';
export * from './order.js';
export { cfgOf } from './steps.js';
