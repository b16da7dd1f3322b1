import DataLoader from 'dataloader';
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

// One set of loaders per GraphQL operation: keyed on the context object, which Yoga makes anew
// for every request, so a cached row never outlives the request that read it nor crosses from
// one viewer to another.
const perRequest = new WeakMap<object, Map<string, DataLoader<unknown, unknown>>>();

/**
 * The request's DataLoader named `name`: every `load(key)` made while one level of the query
 * resolves goes to `batch` in one call — a nested list costs one statement, not one per parent.
 * `batch` receives distinct keys and returns, for each, its value (in the same order). The
 * caller has already authorised the parents whose keys it loads; the loader only batches.
 */
export function batchLoader<K, V>(
  context: object,
  name: string,
  batch: (keys: readonly K[]) => Promise<V[]>,
  opts: { key?: (k: K) => unknown } = {},
): DataLoader<K, V> {
  let loaders = perRequest.get(context);
  if (!loaders) {
    loaders = new Map();
    perRequest.set(context, loaders);
  }
  let loader = loaders.get(name) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V, unknown>((keys) => batch(keys), {
      maxBatchSize: 1000,
      // Rows as keys (a request): cached and deduplicated by their id.
      ...(opts.key ? { cacheKeyFn: opts.key } : {}),
    });
    loaders.set(name, loader as DataLoader<unknown, unknown>);
  }
  return loader;
}

/** Groups `rows` by `keyOf` in the order of `keys` (an empty list for a key without rows). */
export function groupByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (r: R) => K): R[][] {
  const by = new Map<K, R[]>(keys.map((k) => [k, []]));
  for (const r of rows) by.get(keyOf(r))?.push(r);
  return keys.map((k) => by.get(k) ?? []);
}

/**
 * Whether the operation selects `path` under the field being resolved (through fragments and
 * inline fragments; directives are not evaluated, so a skipped field counts as selected): lets
 * a list's resolver read what its rows' fields will need in the same statement.
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const walk = (set: SelectionSetNode | undefined, at: number, seen: Set<string>): boolean => {
    if (!set) return false;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value !== path[at]) continue;
        if (at === path.length - 1 || walk(sel.selectionSet, at + 1, seen)) return true;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (walk(sel.selectionSet, at, seen)) return true;
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        if (walk(info.fragments[sel.name.value]?.selectionSet, at, seen)) return true;
        seen.delete(sel.name.value);
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => walk(node.selectionSet, 0, new Set()));
}
