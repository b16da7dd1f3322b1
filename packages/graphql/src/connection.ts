import { ValidationError } from '@guichet/core';

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/**
 * Forward keyset paging for Relay connections: `load(after, n)` returns up to `n` rows after the
 * cursor in a stable order, using an index (never OFFSET, which degrades with depth). One extra
 * row is fetched to know whether a next page exists.
 */
export async function keysetConnection<T>(
  args: ConnectionArgs,
  toCursor: (row: T) => string,
  load: (after: string | undefined, limit: number) => Promise<T[]>,
) {
  if (args.last != null || args.before != null) {
    throw ValidationError.field(['last'], 'only forward paging (first/after) is supported');
  }
  const first = args.first ?? DEFAULT_PAGE;
  if (first < 0 || first > MAX_PAGE)
    throw ValidationError.field(['first'], `must be between 0 and ${MAX_PAGE}`);
  const rows = await load(args.after ?? undefined, first + 1);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: toCursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * The instant of a `<ISO time>_<uuid>` keyset cursor, if the text is exactly what
 * `Date.toISOString()` writes for a year PostgreSQL can store — a forged cursor is refused as
 * a validation error by the caller, never cast by the database.
 */
export function cursorInstant(text: string): string | undefined {
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== text) return undefined;
  return at.getUTCFullYear() >= 1900 ? text : undefined;
}
