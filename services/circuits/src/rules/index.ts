export * from './codes.js';
export * from './design.js';
export * from './facts.js';
export * from './need.js';
export * from './shape.js';
