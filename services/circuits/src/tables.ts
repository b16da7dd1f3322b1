/**
 * The circuits line's tables (SQL names prefixed `circuits_`): the NOC's inventory and the
 * circuits with what they hold. Split in two files by entity; the invariants PostgreSQL holds
 * are listed at the top of each.
 */
export * from './tables/inventory.js';
export * from './tables/orders.js';
