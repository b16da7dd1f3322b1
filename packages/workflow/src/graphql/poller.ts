import type { Database } from '@guichet/db';

/**
 * The subscriptions' engine: the database is the bus. A subscription reads its table past the
 * last id it sent, every POLL_MS, so a row written by the worker or by another api process on
 * the same PostgreSQL reaches every subscriber without a broker; the cost is one indexed query
 * per subscriber per second.
 */

const POLL_MS = 1000;

// The open subscriptions per database (one per api in a process): shutdown ends them, so the
// server's close does not wait on streams that would never end by themselves.
const open = new WeakMap<Database, Set<() => void>>();

/** Ends every subscription served on `database` (the api calls it before closing). */
export function endSubscriptions(database: Database): void {
  for (const stop of open.get(database) ?? []) stop();
}

/**
 * An iterator, not an async generator: when the client goes, Yoga calls `return()` while
 * `next()` is still waiting, and a generator would only see that at its next `yield` — which
 * may never come if nothing happens, leaving the poll running forever.
 */
export function poller<T extends { id: number }>(
  database: Database,
  fetchAfter: (after: number) => Promise<T[]>,
  start: number,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<T> {
  let after = start;
  let stopped = false;
  let wake: (() => void) | undefined;
  const queue: T[] = [];
  const live = open.get(database) ?? new Set();
  open.set(database, live);
  const stop = () => {
    stopped = true;
    live.delete(stop);
    wake?.();
  };
  live.add(stop);
  signal?.addEventListener('abort', stop);
  const done = { value: undefined, done: true } as const;
  const it: AsyncIterableIterator<T> = {
    async next() {
      while (!stopped) {
        const e = queue.shift();
        if (e) return { value: e, done: false };
        const batch = await fetchAfter(after);
        if (stopped) break;
        queue.push(...batch);
        const last = batch.at(-1);
        if (last) after = last.id;
        else
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, POLL_MS);
          });
      }
      return done;
    },
    async return() {
      stop();
      return done;
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
