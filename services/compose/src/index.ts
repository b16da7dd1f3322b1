/**
 * @guichet/compose: the one composition of Guichet's service lines, used by the api and by the
 * worker (and by tests that want the whole system).
 */
export * from './compose.js';
export { LINES } from './lines.js';
