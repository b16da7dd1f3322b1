import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix } from './address.js';
import { prefixRange } from './prefix-math.js';
import { reverseZones } from './reverse.js';
import { text } from './test/oracle.js';

const names = (p: string) => reverseZones(p).map((z) => z.zone);

describe('reverseZones', () => {
  it('IPv4 octet zones', () => {
    expect(names('192.0.0.0/22')).toEqual([
      '0.0.192.in-addr.arpa',
      '1.0.192.in-addr.arpa',
      '2.0.192.in-addr.arpa',
      '3.0.192.in-addr.arpa',
    ]);
    expect(names('10.0.0.0/15')).toEqual(['0.10.in-addr.arpa', '1.10.in-addr.arpa']);
    expect(names('10.0.0.0/8')).toEqual(['10.in-addr.arpa']);
    expect(names('192.0.2.0/24')).toEqual(['2.0.192.in-addr.arpa']);
    expect(names('0.0.0.0/0')).toEqual(['in-addr.arpa']);
    expect(reverseZones('192.0.0.0/22')[3]).toMatchObject({
      kind: 'octet',
      prefix: { address: '192.0.3.0', length: 24 },
    });
  });

  it('RFC 2317 hyphen label below /24, with the parent /24 zone', () => {
    expect(reverseZones('192.0.2.64/26')).toEqual([
      {
        zone: '64-127.2.0.192.in-addr.arpa',
        parent: '2.0.192.in-addr.arpa',
        kind: 'rfc2317',
        prefix: { family: 4, address: '192.0.2.64', length: 26 },
      },
    ]);
    expect(names('192.0.2.0/25')).toEqual(['0-127.2.0.192.in-addr.arpa']);
    expect(names('192.0.2.9/32')).toEqual(['9-9.2.0.192.in-addr.arpa']);
  });

  it('IPv6 nibble zones', () => {
    expect(names('2001:db8::/32')).toEqual(['8.b.d.0.1.0.0.2.ip6.arpa']);
    expect(names('2001:db8:2::/47')).toEqual([
      '2.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      '3.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    ]);
    expect(names('2001:db8::/29')).toHaveLength(8);
    expect(names('2001:db8:1234::/46')).toHaveLength(4);
    expect(names('::/0')).toEqual(['ip6.arpa']);
  });

  it('zones tile the prefix exactly, each on an octet or nibble boundary', () => {
    const arb = fc.oneof(
      fc.tuple(fc.constant(4 as const), fc.bigInt(0n, 2n ** 32n - 1n), fc.integer({ min: 0, max: 24 })),
      fc.tuple(fc.constant(6 as const), fc.bigInt(0n, 2n ** 128n - 1n), fc.integer({ min: 0, max: 128 })),
    );
    fc.assert(
      fc.property(arb, ([family, v, l]) => {
        const bits = family === 4 ? 32 : 128;
        const step = family === 4 ? 8 : 4;
        const p = text(family, (v >> BigInt(bits - l)) << BigInt(bits - l), l);
        const zones = reverseZones(p);
        expect(zones).toHaveLength(2 ** (Math.ceil(l / step) * step - l));
        const r = prefixRange(p);
        let next = r.first;
        for (const z of zones) {
          const zr = prefixRange(z.prefix);
          expect(zr.first).toBe(next);
          expect(zr.length % step).toBe(0);
          next = zr.last + 1n;
          const labels = z.zone.split('.');
          expect(labels.length - 2).toBe(zr.length / step);
          if (family === 4)
            expect(formatPrefix(z.prefix).startsWith(labels.slice(0, -2).reverse().join('.'))).toBe(true);
        }
        expect(next).toBe(r.last + 1n);
      }),
      { numRuns: 200 },
    );
  });
});
