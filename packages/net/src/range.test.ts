import { ValidationError } from '@guichet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix } from './address.js';
import { bigIntToAddress, prefixRange } from './prefix-math.js';
import { parseRange, rangeToPrefixes, toRange } from './range.js';
import { num, text } from './test/oracle.js';

const prefix = (family: 4 | 6) =>
  fc
    .tuple(
      fc.bigInt(0n, (1n << (family === 4 ? 32n : 128n)) - 1n),
      fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
    )
    .map(([v, l]) => {
      const shift = BigInt((family === 4 ? 32 : 128) - l);
      return text(family, (v >> shift) << shift, l);
    });

/** Oracle: fewest disjoint aligned blocks tiling [a, b] inside one /24, by dynamic programming. */
function minBlocks(a: number, b: number): number {
  const best = new Array<number>(b + 2).fill(Number.POSITIVE_INFINITY);
  best[b + 1] = 0;
  for (let x = b; x >= a; x--) {
    for (let size = 1; size <= 256; size *= 2) {
      if (x % size !== 0 || x + size - 1 > b) break;
      best[x] = Math.min(best[x]!, 1 + best[x + size]!);
    }
  }
  return best[a]!;
}

describe('inetnum range notation', () => {
  it('toRange renders the RIPE key', () => {
    expect(toRange('192.0.2.0/24')).toBe('192.0.2.0 - 192.0.2.255');
    expect(toRange('10.0.0.0/8')).toBe('10.0.0.0 - 10.255.255.255');
    expect(toRange('192.0.2.7/32')).toBe('192.0.2.7 - 192.0.2.7');
    expect(toRange('2001:db8::/48')).toBe('2001:db8:: - 2001:db8:0:ffff:ffff:ffff:ffff:ffff');
  });

  it('rangeToPrefixes ∘ toRange is the identity on prefixes (both families)', () => {
    fc.assert(
      fc.property(fc.oneof(prefix(4), prefix(6)), (p) => {
        expect(rangeToPrefixes(toRange(p)).map(formatPrefix)).toEqual([p]);
      }),
      { numRuns: 300 },
    );
  });

  it('covers random IPv4 ranges exactly with maximal blocks (hence the unique minimal cover)', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 2n ** 32n - 1n), fc.bigInt(0n, 2n ** 32n - 1n), (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const blocks = rangeToPrefixes(`${bigIntToAddress(4, a)} - ${bigIntToAddress(4, b)}`).map((p) =>
          prefixRange(p),
        );
        expect(blocks[0]?.first).toBe(a);
        expect(blocks.at(-1)?.last).toBe(b);
        blocks.forEach((blk, i) => {
          if (i > 0) expect(blk.first).toBe(blocks[i - 1]!.last + 1n);
          if (blk.length > 0) {
            const size = 1n << BigInt(33 - blk.length);
            const up = (blk.first / size) * size; // the enclosing block one bit shorter
            expect(up >= a && up + size - 1n <= b).toBe(false);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('uses the fewest blocks possible (oracle: dynamic programming over a /24)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const got = rangeToPrefixes(`198.51.100.${a} - 198.51.100.${b}`);
        expect(got.length).toBe(minBlocks(a, b));
        const covered = new Set<number>();
        for (const p of got) {
          const { first, length } = num(formatPrefix(p));
          for (let i = 0; i < 2 ** (32 - length); i++) covered.add(Number(first & 255n) + i);
        }
        expect([...covered].sort((m, n) => m - n)).toEqual(
          Array.from({ length: b - a + 1 }, (_, i) => a + i),
        );
      }),
    );
  });

  it('imports a non-CIDR RIPE range', () => {
    expect(rangeToPrefixes('192.0.2.0 - 192.0.3.127').map(formatPrefix)).toEqual([
      '192.0.2.0/24',
      '192.0.3.0/25',
    ]);
    expect(rangeToPrefixes('192.0.2.1-192.0.2.6').map(formatPrefix)).toEqual([
      '192.0.2.1/32',
      '192.0.2.2/31',
      '192.0.2.4/31',
      '192.0.2.6/32',
    ]);
    expect(rangeToPrefixes('0.0.0.0 - 255.255.255.255').map(formatPrefix)).toEqual(['0.0.0.0/0']);
  });

  it.each([
    '192.0.2.0',
    '192.0.2.0 -',
    '- 192.0.2.255',
    '192.0.2.0 - 192.0.2.255 - 192.0.3.0',
    '192.0.2.255 - 192.0.2.0',
    '192.0.2.0 - 2001:db8::',
    '192.0.02.0 - 192.0.2.255',
    '192.0.2.0/24 - 192.0.2.255',
    '192.0.2.0 x - 192.0.2.255',
    '192.0.2 - 192.0.2.255',
    '',
  ])('refuses %j with a ValidationError at the path', (t) => {
    const err = (() => {
      try {
        parseRange(t, ['inetnum']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toEqual(['inetnum']);
  });
});
