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
 * `keys: 'property'`: the JSON is keyed by the row's own (camelCase) names, as a change log's
 * `after` is, rather than by column.
 */
export function rowFromJson<T extends Table>(
  table: T,
  json: Record<string, unknown>,
  keys: 'column' | 'property' = 'column',
): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const [key, name, kind] of columnsOf(table)) {
    const value = json[keys === 'column' ? name : key];
    if (value === null || value === undefined) out[key] = null;
    else if (kind === 'timestamp') out[key] = new Date(value as string);
    else if (kind === 'bigint') out[key] = Number(value);
    else out[key] = value;
  }
  return out as InferSelectModel<T>;
}

type ColumnInfo = [key: string, name: string, kind: 'timestamp' | 'bigint' | 'as-is'];
const columnInfo = new WeakMap<Table, ColumnInfo[]>();

/** A table's columns as rowFromJson reads them, worked out once per table. */
function columnsOf(table: Table): ColumnInfo[] {
  let info = columnInfo.get(table);
  if (!info) {
    info = Object.entries(getTableColumns(table)).map(([key, column]): ColumnInfo => {
      const type = column.getSQLType();
      return [
        key,
        column.name,
        type.startsWith('timestamp') ? 'timestamp' : type === 'bigint' ? 'bigint' : 'as-is',
      ];
    });
    columnInfo.set(table, info);
  }
  return info;
}
