import { cidr, pgTable, serial } from 'drizzle-orm/pg-core';

/**
 * Engine probe: proves on every engine, at migration time, that `cidr` columns and a GiST
 * exclusion constraint with `inet_ops` (added by the custom migration `engine_probe_exclusion`)
 * work — the service lines (ipam, rdns, routing) rely on both. Never holds business data.
 */
export const dbEngineProbe = pgTable('db_engine_probe', {
  id: serial('id').primaryKey(),
  prefix: cidr('prefix').notNull(),
});
