export * from './bird.js';
export * from './database.js';
export * from './dnssec.js';
export * from './knot.js';
export * from './netns.js';
export * from './ripe-standin.js';
export * from './slapd.js';
export * from './smtp.js';
