import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, type Prefix, parsePrefix } from './address.js';
import {
  freeBlocks,
  freeCount,
  freeRanges,
  growthRoom,
  largestFreeBlock,
  normaliseFree,
} from './free-space.js';
import { contains } from './prefix-math.js';
import { type Case, num, Occupancy, spaceOf, text, v4Case, v6Case } from './test/oracle.js';

const cases: [string, fc.Arbitrary<Case>][] = [
  ['IPv4 (addresses enumerated)', v4Case],
  ['IPv6 (/48 units enumerated)', v6Case],
];

describe.each(cases)('free space against the brute-force oracle, %s', (_name, arb) => {
  it('freeBlocks covers exactly the free units with disjoint, valid, maximal CIDR blocks in order', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const occ = new Occupancy(spaceOf(c), c.used);
        const blocks = freeBlocks(c.parent, c.used);
        const covered = new Uint8Array(occ.space.units);
        const shift = BigInt((c.parent.includes(':') ? 128 : 32) - occ.space.unit);
        let prev = -1;
        let clash = 0;
        for (const b of blocks) {
          const t = formatPrefix(b);
          expect(parsePrefix(t)).toEqual(b); // CIDR-valid, canonical
          expect(contains(c.parent, b)).toBe(true);
          const lo = Number((num(t).first - occ.space.first) >> shift);
          const n = occ.slotUnits(b.length);
          expect(lo).toBeGreaterThan(prev); // address order, disjoint
          expect(occ.freeUnits(lo, lo + n - 1)).toBe(true);
          covered.fill(1, lo, lo + n);
          prev = lo + n - 1;
          // maximal: the enclosing block one bit shorter (inside the parent) is not wholly free
          if (b.length > occ.space.length)
            expect(occ.slotFree(b.length - 1, Math.floor(lo / n / 2))).toBe(false);
        }
        for (let u = 0; u < occ.space.units; u++) if (covered[u]! + occ.used[u]! !== 1) clash++;
        expect(clash).toBe(0); // every unit is either used or in exactly one free block
      }),
    );
  });

  it('freeCount and largestFreeBlock match the enumeration', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const occ = new Occupancy(spaceOf(c), c.used);
        expect(freeCount(c.parent, c.used, c.length)).toBe(BigInt(occ.freeSlots(c.length).length));
        let want: string | null = null;
        for (let len = occ.space.length; len <= occ.space.unit && !want; len++) {
          const slots = occ.freeSlots(len);
          if (slots.length) want = occ.slotText(len, slots[0]!);
        }
        const got = largestFreeBlock(c.parent, c.used);
        expect(got && formatPrefix(got)).toBe(want);
      }),
    );
  });

  it('normaliseFree rebuilds the maximal blocks from a finer, shuffled, repeated free list', () => {
    fc.assert(
      fc.property(arb, fc.infiniteStream(fc.integer({ min: 0, max: 3 })), (c, splits) => {
        const want = freeRanges(c.parent, c.used);
        const pieces: string[] = [];
        for (const b of want) {
          const d = Math.min(splits.next().value, (c.parent.includes(':') ? 48 : 32) - b.length);
          for (let i = 0n; i < 1n << BigInt(d); i++) {
            const size = (b.last - b.first + 1n) >> BigInt(d);
            pieces.push(text(b.family, b.first + i * size, b.length + d));
          }
        }
        const shuffled = [...pieces.reverse(), ...pieces.slice(0, 2)];
        expect(normaliseFree(c.parent, shuffled)).toEqual(want);
      }),
    );
  });

  it('growthRoom is the shortest supernet free of the other used prefixes', () => {
    fc.assert(
      fc.property(arb, fc.nat(), (c, pick) => {
        const occ = new Occupancy(spaceOf(c), c.used);
        const inside = c.used.filter((u) => contains(c.parent, u));
        const mine = inside[pick % Math.max(inside.length, 1)];
        if (!mine) return;
        const others = c.used.filter((u) => !contains(u, mine) && !contains(mine, u));
        const occOthers = new Occupancy(occ.space, others);
        const m = num(mine);
        const shift = BigInt((m.family === 4 ? 32 : 128) - occ.space.unit);
        const slot = Number((m.first - occ.space.first) >> shift) / occ.slotUnits(m.length);
        const want = occOthers.envelope(m.length, slot);
        const got = growthRoom(mine, c.used, { within: c.parent });
        expect(got.length).toBe(want);
        expect(contains(got, mine)).toBe(true);
        const nib = growthRoom(mine, c.used, { within: c.parent, align: 4 });
        expect(nib.length).toBe(Math.min(Math.ceil(want / 4) * 4, m.length));
      }),
    );
  });
});

describe('free space in a huge space (bigint path: more than 2^52 units)', () => {
  // ::/0 minus random /16–/128 prefixes: too big to enumerate, so check the defining properties
  // directly: disjoint blocks that avoid every used prefix, total size = space − used, maximal.
  const used = fc.array(
    fc.tuple(fc.bigInt(0n, 2n ** 128n - 1n), fc.integer({ min: 16, max: 128 })).map(([v, l]) => {
      const shift = BigInt(128 - l);
      return {
        family: 6 as const,
        first: (v >> shift) << shift,
        last: ((v >> shift) << shift) + (1n << shift) - 1n,
        length: l,
      };
    }),
    { maxLength: 12 },
  );
  it('blocks are disjoint, avoid the used space, add up to the rest, and are maximal', () => {
    fc.assert(
      fc.property(used, (u) => {
        const blocks = freeRanges('::/0', u);
        // size of the union of used: merge sorted intervals
        const iv = u.map((x): [bigint, bigint] => [x.first, x.last]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
        let usedSize = 0n;
        let end = -1n;
        for (const [a, b] of iv) {
          if (b <= end) continue;
          usedSize += b - (a > end ? a : end + 1n) + 1n;
          end = b;
        }
        let freeSize = 0n;
        blocks.forEach((b, i) => {
          if (i > 0) expect(b.first).toBeGreaterThan(blocks[i - 1]!.last);
          for (const x of u) expect(b.last < x.first || b.first > x.last).toBe(true);
          freeSize += b.last - b.first + 1n;
          if (b.length > 0) {
            const size = 1n << BigInt(129 - b.length);
            const up = (b.first / size) * size;
            expect(u.some((x) => x.first <= up + size - 1n && up <= x.last)).toBe(true);
          }
        });
        expect(freeSize + usedSize).toBe(2n ** 128n);
      }),
    );
  });
});

describe('free space examples', () => {
  it('splits around used prefixes, ignoring the other family and outside space', () => {
    const used = ['192.0.2.64/26', '192.0.2.64/27', '10.0.0.0/8', '2001:db8::/32'];
    expect(freeBlocks('192.0.2.0/24', used).map(formatPrefix)).toEqual(['192.0.2.0/26', '192.0.2.128/25']);
    expect(freeBlocks('192.0.2.0/24', ['192.0.0.0/16'])).toEqual([]);
    expect(freeBlocks('192.0.2.0/24', []).map(formatPrefix)).toEqual(['192.0.2.0/24']);
    expect(freeBlocks('::/0', ['::/1']).map(formatPrefix)).toEqual(['8000::/1']);
    expect(largestFreeBlock('192.0.2.0/24', ['192.0.2.0/24'])).toBeNull();
    expect(freeCount('2001:db8::/32', ['2001:db8::/48'], 64)).toBe(2n ** 32n - 2n ** 16n);
  });

  it('growthRoom: a /48 with its neighbours at /44 boundaries can grow to a /44', () => {
    const used = ['2001:db8::/48', '2001:db8:10::/48', '2001:db8:20::/48', '2001:db8::/32'];
    expect(formatPrefix(growthRoom('2001:db8:10::/48', used))).toBe('2001:db8:10::/44');
    expect(formatPrefix(growthRoom('2001:db8:10::/48', ['2001:db8:11::/48']))).toBe('2001:db8:10::/48');
    expect(formatPrefix(growthRoom('2001:db8:10::/48', ['2001:db8:18::/48'], { align: 4 }))).toBe(
      '2001:db8:10::/48',
    );
    expect(formatPrefix(growthRoom('2001:db8:10::/48', [], { within: '2001:db8::/32' }))).toBe(
      '2001:db8::/32',
    );
  });
});

describe('freeBlocks at scale (O(n log n) in the used prefixes)', () => {
  // Deterministic pseudo-random numbers so the timing is repeatable.
  const rng = (seed: number) => () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const hex = (n: number) => n.toString(16);

  // /48 number s of 2001:db8::/29 is 2001:db8+(s >> 16):(s & 0xffff)::/48
  const slash48 = (s: number) => ({
    family: 6 as const,
    address: `2001:${hex(0xdb8 + (s >> 16))}:${hex(s & 0xffff)}::`,
    length: 48,
  });

  it.each([
    // A /32 holds only 65,536 /48s: 100,000 draws repeat and overlap, as a careless caller might pass.
    ['100,000 /48s drawn in a /32 (with repeats)', '2001:db8::/32', 2 ** 16, false],
    ['100,000 distinct /48s in a /29 (≈183,000 free blocks out)', '2001:db8::/29', 2 ** 19, true],
  ] as const)(
    '%s: the free count is exact at scale (speed is measured by `pnpm bench`, not here)',
    (_name, parent, slots, distinct) => {
      const r = rng(42);
      const used: Prefix[] = [];
      const seen = new Set<number>();
      while (used.length < 100_000) {
        const s = Math.floor(r() * slots);
        if (distinct && seen.has(s)) continue;
        seen.add(s);
        used.push(slash48(s));
      }
      const blocks = freeBlocks(parent, used);
      expect(blocks.length).toBeGreaterThan(0);
      expect(freeCount(parent, used, 48)).toBe(BigInt(slots - seen.size));
    },
  );
});
