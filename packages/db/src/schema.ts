/**
 * The one door to drizzle for every package: tables.ts files and queries import from
 * `@guichet/db`, so the whole workspace shares a single drizzle instance (and its types).
 */
export {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  not,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
export {
  bigint,
  bigserial,
  boolean,
  check,
  cidr,
  foreignKey,
  index,
  inet,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
