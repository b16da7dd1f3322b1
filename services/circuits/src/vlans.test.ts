import { ValidationError } from '@guichet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCvlans,
  checkRanges,
  freeRuns,
  mtuShortfalls,
  multirangeLiteral,
  parseMultirange,
  rangesText,
  requiredMtu,
  vidProblem,
} from './vlans.js';

describe('VIDs and ranges', () => {
  it.each([
    [0, /priority tag/],
    [4095, /reserved/],
    [4096, /outside/],
    [-1, /outside/],
    [1.5, /integer/],
  ])('refuses VID %s', (vid, why) => expect(vidProblem(vid)).toMatch(why));
  it.each([1, 100, 4094])('accepts VID %s', (vid) => expect(vidProblem(vid)).toBeUndefined());

  it('checks staff ranges with field paths, and merges them', () => {
    expect(
      checkRanges(
        [
          { from: 200, to: 300 },
          { from: 1, to: 100 },
          { from: 90, to: 120 },
        ],
        ['ranges'],
      ),
    ).toEqual([
      { from: 1, to: 120 },
      { from: 200, to: 300 },
    ]);
    try {
      checkRanges(
        [
          { from: 0, to: 10 },
          { from: 20, to: 4095 },
          { from: 9, to: 3 },
        ],
        ['input', 'ranges'],
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path.join('.'))).toEqual([
        'input.ranges.0.from',
        'input.ranges.1.to',
        'input.ranges.2',
      ]);
    }
  });

  it('reads back what PostgreSQL writes for a multirange', () => {
    expect(
      multirangeLiteral([
        { from: 1, to: 100 },
        { from: 200, to: 200 },
      ]),
    ).toBe('{[1,100],[200,200]}');
    expect(parseMultirange('{[1,101),[200,201)}')).toEqual([
      { from: 1, to: 100 },
      { from: 200, to: 200 },
    ]);
    expect(parseMultirange('{}')).toEqual([]);
  });

  it('lists free runs and writes them as people do', () => {
    const ranges = [
      { from: 100, to: 110 },
      { from: 200, to: 202 },
    ];
    expect(freeRuns(ranges, [100, 101, 105, 201])).toEqual([
      { from: 102, to: 104 },
      { from: 106, to: 110 },
      { from: 200, to: 200 },
      { from: 202, to: 202 },
    ]);
    expect(rangesText(freeRuns(ranges, []))).toBe('100-110, 200-202');
    expect(rangesText([])).toBe('none');
  });

  it('free runs and used VIDs partition the ranges (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ from: fc.integer({ min: 1, max: 4094 }), len: fc.integer({ min: 0, max: 50 }) }),
        ),
        fc.array(fc.integer({ min: 1, max: 4094 })),
        (raw, used) => {
          const ranges = raw.map((r) => ({ from: r.from, to: Math.min(4094, r.from + r.len) }));
          const all = new Set(
            ranges.flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i)),
          );
          const free = freeRuns(ranges, used).flatMap((r) =>
            Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i),
          );
          const inUse = [...all].filter((v) => used.includes(v));
          expect(new Set([...free, ...inUse])).toEqual(all);
          expect(free.some((v) => used.includes(v))).toBe(false);
        },
      ),
    );
  });
});

describe('QinQ C-VLAN sets', () => {
  it('sorts a valid set and refuses duplicates and reserved VIDs', () => {
    expect(checkCvlans([30, 10, 20], ['cvlans'])).toEqual([10, 20, 30]);
    expect(() => checkCvlans([10, 10], ['cvlans'])).toThrow(/listed twice/);
    expect(() => checkCvlans([0], ['cvlans'])).toThrow(/priority tag/);
  });
});

describe('L2 MTU', () => {
  it('needs payload + 4 × tags on every hop', () => {
    expect(requiredMtu(1500, 2)).toBe(1508);
    expect(requiredMtu(1500, 1)).toBe(1504);
    const hops = [
      { name: 'port', l2Mtu: 9216, tags: 2 },
      { name: 'regional', l2Mtu: 1504, tags: 2 },
    ];
    expect(mtuShortfalls(1500, hops)).toEqual([{ name: 'regional', l2Mtu: 1504, tags: 2, required: 1508 }]);
    expect(mtuShortfalls(1500, [{ name: 'regional', l2Mtu: 1508, tags: 2 }])).toEqual([]);
  });
});
