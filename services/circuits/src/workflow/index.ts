export * from './changes.js';
export * from './order.js';
