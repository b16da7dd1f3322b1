export * from './address.js';
export * from './allocate.js';
export * from './bogons.js';
export * from './domain.js';
export * from './free-space.js';
export * from './prefix-math.js';
export * from './range.js';
export * from './reverse.js';
