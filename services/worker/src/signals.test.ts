import { EventEmitter } from 'node:events';
import { createLogger } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { stopOnSignals } from './signals.js';

// The process's signal events, fed by hand; test/e2e/worker-schedules.test.ts sends real ones
// to a real worker's process group.
function harness() {
  const source = new EventEmitter();
  let t = 0;
  let release!: () => void;
  const stopped = new Promise<void>((r) => {
    release = r;
  });
  const exits: number[] = [];
  let stops = 0;
  stopOnSignals({
    logger: createLogger('silent'),
    stop: () => {
      stops++;
      return stopped;
    },
    source: source as unknown as Pick<NodeJS.Process, 'on'>,
    exit: (code) => void exits.push(code),
    now: () => t,
  });
  return {
    signal: (s: NodeJS.Signals, at: number) => {
      t = at;
      source.emit(s, s);
    },
    finish: async () => {
      release();
      await stopped;
      await new Promise((r) => setImmediate(r));
    },
    exits,
    stops: () => stops,
  };
}

describe('stop signals', () => {
  it('stops once, gracefully, when one group signal arrives twice (group + relay)', async () => {
    const h = harness();
    h.signal('SIGTERM', 1000);
    h.signal('SIGTERM', 1003); // pnpm's relay, a few ms later
    h.signal('SIGINT', 1500);
    expect(h.stops()).toBe(1);
    expect(h.exits).toEqual([]);
    await h.finish();
    expect(h.exits).toEqual([0]);
  });

  it('exits at once on a signal that comes well after the first (Ctrl-C pressed again)', () => {
    const h = harness();
    h.signal('SIGINT', 1000);
    h.signal('SIGINT', 4000);
    expect(h.stops()).toBe(1);
    expect(h.exits).toEqual([1]);
  });
});
