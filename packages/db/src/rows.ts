/**
 * The single row an INSERT/UPDATE … RETURNING, or a look-up that must succeed, gives back.
 * One helper for every package: a missing row there is a bug, not a user error.
 */
export function one<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('expected one row, got none');
  return row;
}
