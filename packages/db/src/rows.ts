import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';
/**
 * The single row an INSERT/UPDATE … RETURNING, or a look-up that must succeed, gives back.
 * One helper for every package: a missing row there is a bug, not a user error.
 */
export function one<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('expected one row, got none');
  return row;
}

/**
 * A table's row from the `to_jsonb(row)` of a server-side function (one round trip where a
 * RETURNING per statement would take several), shaped like drizzle's own rows: camelCase
 * keys, timestamps as Date, bigint counters as numbers. Only the types a JSON round trip
 * changes are converted; the rest (text, uuid, cidr, arrays, smallint) arrive as they are.
 */
export function rowFromJson<T extends Table>(table: T, json: Record<string, unknown>): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    if (value === null || value === undefined) out[key] = null;
    else if (column.getSQLType().startsWith('timestamp')) out[key] = new Date(value as string);
    else if (column.getSQLType() === 'bigint') out[key] = Number(value);
    else out[key] = value;
  }
  return out as InferSelectModel<T>;
}
