import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, type Prefix } from './address.js';
import {
  allocate,
  bestFit,
  firstFit,
  isNibbleBoundary,
  lastFit,
  nibbleLength,
  type SparseOrder,
  sparse,
  sparseBitOrder,
  sparseRank,
  sparseSlot,
} from './allocate.js';
import { freeBlocks } from './free-space.js';
import { overlaps, prefixRange } from './prefix-math.js';
import { type Case, Occupancy, spaceOf, v4Case, v6Case } from './test/oracle.js';

const show = (p: Prefix | null) => p && formatPrefix(p);

/** Oracle rank of slot i among 2^k slots, computed from the RFC 3531 description. */
function oracleRank(i: number, k: number, order: SparseOrder): number {
  if (order === 'rightmost') return i;
  const bit = (pos: number) => (i >> (k - 1 - pos)) & 1; // pos 0 = the part's leftmost bit
  let cols = Array.from({ length: k }, (_, c) => c); // leftmost: counter bit j drives column j
  if (order === 'centermost') {
    const mid = Math.floor(k / 2);
    const key = (c: number) => (c === mid ? 0 : c < mid ? 2 * (mid - c) - 1 : 2 * (c - mid));
    cols = cols.sort((a, b) => key(a) - key(b));
  }
  return cols.reduce((rank, col, j) => rank + bit(col) * 2 ** j, 0);
}

const cases: [string, fc.Arbitrary<Case>][] = [
  ['IPv4', v4Case],
  ['IPv6', v6Case],
];

describe.each(cases)('strategies against the brute-force oracle, %s', (_name, arb) => {
  it('first/last/best/sparse return the oracle choice, or null when no free aligned block exists', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const occ = new Occupancy(spaceOf(c), c.used);
        const slots = occ.freeSlots(c.length);
        const at = (i: number | undefined) => (i === undefined ? null : occ.slotText(c.length, i));
        // best: the free slot whose enclosing free block is smallest, then the lowest address
        let best: number | undefined;
        let bestEnv = -1;
        for (const i of slots) {
          const env = occ.envelope(c.length, i);
          if (env > bestEnv) [best, bestEnv] = [i, env];
        }
        const k = c.length - occ.space.length;
        const orders = ['leftmost', 'centermost', 'rightmost'] as const;
        const sparsePick = orders.map((order) => {
          let pick: number | undefined;
          let pickRank = Number.POSITIVE_INFINITY;
          for (const i of slots) {
            const r = oracleRank(i, k, order);
            if (r < pickRank) [pick, pickRank] = [i, r];
          }
          return at(pick);
        });
        for (const occupancy of [c.used, { free: freeBlocks(c.parent, c.used) }]) {
          expect(show(firstFit(c.parent, occupancy, c.length))).toBe(at(slots[0]));
          expect(show(lastFit(c.parent, occupancy, c.length))).toBe(at(slots.at(-1)));
          expect(show(bestFit(c.parent, occupancy, c.length))).toBe(at(best));
          expect(orders.map((o) => show(sparse(c.parent, occupancy, c.length, o)))).toEqual(sparsePick);
        }
      }),
    );
  });
});

describe('sparse allocation (RFC 3531)', () => {
  /** Allocate repeatedly into an empty parent until it is full. */
  function fill(parent: string, length: number, order: SparseOrder = 'leftmost'): Prefix[] {
    const got: Prefix[] = [];
    for (let p = sparse(parent, [], length, order); p; p = sparse(parent, got, length, order)) got.push(p);
    return got;
  }

  it('four /48s in a /46 land at offsets 0, 2, 1, 3', () => {
    expect(fill('2001:db8::/46', 48).map(formatPrefix)).toEqual([
      '2001:db8::/48',
      '2001:db8:2::/48',
      '2001:db8:1::/48',
      '2001:db8:3::/48',
    ]);
  });

  it('leftmost follows the RFC 3531 §3.1 table (bit-reversed counting of an 8-bit part)', () => {
    const second = (r: number) => Number(sparseSlot('10.0.0.0/8', 16, r).address.split('.')[1]);
    const bitsOf = (r: number) => second(r).toString(2).padStart(8, '0');
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(bitsOf)).toEqual([
      '00000000',
      '10000000',
      '01000000',
      '11000000',
      '00100000',
      '10100000',
      '01100000',
      '11100000',
      '00010000',
    ]);
    const centre = (r: number) => Number(sparseSlot('10.0.0.0/8', 16, r, 'centermost').address.split('.')[1]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(centre)).toEqual([0, 8, 16, 24, 4, 12, 20, 28, 32]);
    expect(sparseBitOrder(8, 'centermost')).toEqual([4, 3, 5, 2, 6, 1, 7, 0]);
    expect(sparseBitOrder(7, 'centermost')).toEqual([3, 2, 4, 1, 5, 0, 6]);
    expect([0, 1, 2, 3].map((r) => sparseSlot('10.0.0.0/8', 16, r, 'rightmost').address)).toEqual([
      '10.0.0.0',
      '10.1.0.0',
      '10.2.0.0',
      '10.3.0.0',
    ]);
  });

  it('the first 2^j picks in an empty parent are evenly spread, each free to grow j bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 28 }), fc.integer({ min: 0, max: 8 }), (pl, k) => {
        const length = Math.min(pl + k, 32);
        const kk = length - pl;
        const parent = `10.0.0.0/${pl}`;
        const picks = fill(parent, length);
        expect(picks.length).toBe(2 ** kk);
        const idx = picks.map((p) =>
          Number((prefixRange(p).first - prefixRange(parent).first) >> BigInt(32 - length)),
        );
        expect(new Set(idx).size).toBe(idx.length);
        for (let j = 0; j <= kk; j++) {
          const first = idx.slice(0, 2 ** j).sort((a, b) => a - b);
          expect(first).toEqual(Array.from({ length: 2 ** j }, (_, i) => i * 2 ** (kk - j)));
        }
        picks.forEach((p, r) => {
          expect(sparseRank(parent, p)).toBe(BigInt(r));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('with space already used, successive picks are distinct, non-overlapping and exhaust the free slots', () => {
    fc.assert(
      fc.property(
        v4Case.filter((c) => c.length - Number(c.parent.split('/')[1]) <= 8),
        fc.constantFrom<SparseOrder>('leftmost', 'centermost'),
        (c, order) => {
          const used = [...c.used];
          const picks: Prefix[] = [];
          for (
            let p = sparse(c.parent, used, c.length, order);
            p;
            p = sparse(c.parent, used, c.length, order)
          ) {
            for (const u of used) expect(overlaps(p, u)).toBe(false);
            picks.push(p);
            used.push(formatPrefix(p));
          }
          expect(picks.length).toBe(new Occupancy(spaceOf(c), c.used).freeSlots(c.length).length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sparseSlot and sparseRank are inverse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }),
        fc.nat(),
        fc.constantFrom<SparseOrder>('leftmost', 'centermost', 'rightmost'),
        (k, r, order) => {
          const rank = r % 2 ** k;
          const slot = sparseSlot('2001:db8::/32', 32 + k, rank, order);
          expect(sparseRank('2001:db8::/32', slot, order)).toBe(BigInt(rank));
        },
      ),
    );
  });
});

describe('strategy examples and alignment helpers', () => {
  const used = ['192.0.2.128/26'];
  it('best keeps the big block whole where first splits it', () => {
    expect(show(firstFit('192.0.2.0/24', used, 26))).toBe('192.0.2.0/26');
    expect(show(bestFit('192.0.2.0/24', used, 26))).toBe('192.0.2.192/26');
    expect(show(lastFit('192.0.2.0/24', used, 27))).toBe('192.0.2.224/27');
    expect(show(allocate('best', '192.0.2.0/24', used, 26))).toBe('192.0.2.192/26');
    expect(show(allocate('sparse', '2001:db8::/32', [], 48))).toBe('2001:db8::/48');
    expect(show(allocate('last', '2001:db8::/32', [], 48))).toBe('2001:db8:ffff::/48');
    expect(allocate('first', '192.0.2.0/24', ['192.0.2.0/24'], 32)).toBeNull();
    expect(firstFit('192.0.2.0/24', [], 23)).toBeNull();
  });

  it('nibble helpers: /48 and /56 stay, /47 rounds to the enclosing /44', () => {
    expect([48, 56, 47, 50].map(isNibbleBoundary)).toEqual([true, true, false, false]);
    expect([48, 56, 47, 50].map(nibbleLength)).toEqual([48, 56, 44, 48]);
  });
});
