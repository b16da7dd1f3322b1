import { ValidationError } from '@guichet/core';
import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { parsePrefix } from './address.js';
import {
  addressToBigInt,
  bigIntToAddress,
  compare,
  contains,
  coverRange,
  nthSubnet,
  overlaps,
  prefixFromRange,
  prefixRange,
  subnetCount,
  subnets,
} from './prefix-math.js';
import { num, text } from './test/oracle.js';

// IPv6 addresses with many zero groups, so the "::" placement rules get exercised.
const hextet = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6Value = fc
  .array(hextet, { minLength: 8, maxLength: 8 })
  .map((g) => g.reduce((a, x) => (a << 16n) | BigInt(x), 0n));
const v4Value = fc.bigInt(0n, 2n ** 32n - 1n);
const prefix4 = fc
  .tuple(v4Value, fc.integer({ min: 0, max: 32 }))
  .map(([v, l]) => text(4, (v >> BigInt(32 - l)) << BigInt(32 - l), l));
const prefix6 = fc
  .tuple(v6Value, fc.integer({ min: 0, max: 128 }))
  .map(([v, l]) => text(6, (v >> BigInt(128 - l)) << BigInt(128 - l), l));
const anyPrefix = fc.oneof(prefix4, prefix6);

describe('address ⇄ number', () => {
  it('formats like ip-address correctForm (RFC 5952) and parses back', () => {
    fc.assert(
      fc.property(v6Value, (v) => {
        const t = bigIntToAddress(6, v);
        expect(t).toBe(Address6.fromBigInt(v).correctForm());
        expect(addressToBigInt(6, t)).toBe(v);
        expect(addressToBigInt(6, new Address6(t).canonicalForm())).toBe(v);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(v4Value, (v) => {
        const t = bigIntToAddress(4, v);
        expect(t).toBe(Address4.fromBigInt(v).correctForm());
        expect(addressToBigInt(4, t)).toBe(v);
      }),
    );
  });

  it('falls back to ip-address for embedded IPv4 and refuses garbage', () => {
    expect(addressToBigInt(6, '::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '::1%eth0', '']) {
      expect(() => addressToBigInt(6, bad)).toThrow(ValidationError);
    }
    for (const bad of ['1.2.3', '01.2.3.4', '1.2.3.256', '1.2.3.4.5']) {
      expect(() => addressToBigInt(4, bad)).toThrow(ValidationError);
    }
  });
});

describe('prefixRange / prefixFromRange', () => {
  it('gives the first and last address of ip-address', () => {
    fc.assert(
      fc.property(anyPrefix, (t) => {
        const r = prefixRange(t);
        const o = t.includes(':') ? new Address6(t) : new Address4(t);
        expect(r.first).toBe(o.startAddress().bigInt());
        expect(r.last).toBe(o.endAddress().bigInt());
        expect(r.length).toBe(num(t).length);
        expect(prefixFromRange(r)).toEqual(parsePrefix(t));
        expect(prefixRange(r)).toEqual(r);
        expect(prefixRange(parsePrefix(t))).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses ranges that are not one CIDR block, and malformed prefixes', () => {
    expect(() => prefixFromRange({ family: 4, first: 0n, last: 2n })).toThrow(ValidationError);
    expect(() => prefixFromRange({ family: 4, first: 1n, last: 2n })).toThrow(ValidationError);
    expect(() => prefixFromRange({ family: 4, first: 5n, last: 4n })).toThrow(ValidationError);
    expect(prefixFromRange({ family: 4, first: 0n, last: 2n ** 32n - 1n })).toEqual(parsePrefix('0.0.0.0/0'));
    expect(() => prefixRange({ family: 4, address: '10.0.0.1', length: 24 })).toThrow(ValidationError);
    expect(() => prefixRange({ family: 4, address: '10.0.0.0', length: 33 })).toThrow(ValidationError);
    expect(() => prefixRange({ family: 6, address: '10.0.0.0', length: 8 })).toThrow(ValidationError);
    expect(() => prefixRange({ family: 4, first: 0n, last: 5n, length: 24 })).toThrow(ValidationError);
    expect(() => prefixRange('10.0.0.1/24', ['x'])).toThrow(ValidationError);
  });
});

describe('contains / overlaps / compare', () => {
  // Oracle: the address sets, enumerated in a /24.
  const inSlash24 = fc
    .integer({ min: 24, max: 32 })
    .chain((l) =>
      fc.integer({ min: 0, max: 2 ** (l - 24) - 1 }).map((i) => `192.0.2.${i * 2 ** (32 - l)}/${l}`),
    );
  const addrs = (t: string) => {
    const { first, length } = num(t);
    const set = new Set<bigint>();
    for (let a = first; a < first + 2n ** BigInt(32 - length); a++) set.add(a);
    return set;
  };

  it('agree with the address sets', () => {
    fc.assert(
      fc.property(inSlash24, inSlash24, (a, b) => {
        const A = addrs(a);
        const B = addrs(b);
        expect(contains(a, b)).toBe([...B].every((x) => A.has(x)));
        expect(overlaps(a, b)).toBe([...B].some((x) => A.has(x)));
      }),
    );
  });

  it('never mix families', () => {
    expect(contains('0.0.0.0/0', '::/0')).toBe(false);
    expect(overlaps('::/0', '10.0.0.0/8')).toBe(false);
  });

  it('sorts by family, first address, then length, consistently', () => {
    expect(['2001:db8::/32', '10.0.1.0/24', '10.0.0.0/16', '10.0.0.0/8', '::/0'].sort(compare)).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/16',
      '10.0.1.0/24',
      '::/0',
      '2001:db8::/32',
    ]);
    fc.assert(
      fc.property(anyPrefix, anyPrefix, (a, b) => {
        expect(Math.sign(compare(a, b)) + Math.sign(compare(b, a))).toBe(0);
        expect(compare(a, b) === 0).toBe(a === b);
        if (contains(a, b) && a !== b) expect(compare(a, b)).toBeLessThan(0);
      }),
    );
  });
});

describe('subnets / nthSubnet / subnetCount', () => {
  it('enumerates lazily: the first /64s of a /32 without materialising 2^32 of them', () => {
    const gen = subnets('2001:db8::/32', 64);
    expect([gen.next().value, gen.next().value].map((p) => p && `${p.address}/${p.length}`)).toEqual([
      '2001:db8::/64',
      '2001:db8:0:1::/64',
    ]);
    expect(subnetCount('2001:db8::/32', 64)).toBe(2n ** 32n);
    expect(nthSubnet('2001:db8::/32', 48, 65535).address).toBe('2001:db8:ffff::');
  });

  it('nthSubnet(i) is the i-th item of subnets, in order, tiling the parent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 30 }), fc.integer({ min: 0, max: 6 }), (pl, d) => {
        const parent = `10.1.0.0/${Math.min(pl, 32)}`;
        const len = Math.min(pl + d, 32);
        const all = [...subnets(parent, len)];
        expect(BigInt(all.length)).toBe(subnetCount(parent, len));
        all.forEach((s, i) => {
          expect(s).toEqual(nthSubnet(parent, len, i));
          expect(contains(parent, s)).toBe(true);
        });
        const blocks = all.map((s) => prefixRange(s));
        blocks.slice(1).forEach((b, i) => {
          expect(b.first).toBe((blocks[i]?.last ?? 0n) + 1n);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses lengths outside [parent, max] and indexes out of range', () => {
    expect(() => subnetCount('10.0.0.0/24', 23)).toThrow(ValidationError);
    expect(() => [...subnets('10.0.0.0/24', 33)]).toThrow(ValidationError);
    expect(() => nthSubnet('10.0.0.0/24', 26, 4)).toThrow(ValidationError);
    expect(() => nthSubnet('10.0.0.0/24', 26, -1)).toThrow(ValidationError);
  });
});

describe('coverRange', () => {
  it('covers [first, last] exactly with aligned blocks', () => {
    fc.assert(
      fc.property(v4Value, v4Value, (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const blocks = coverRange(4, a, b);
        expect(blocks[0]?.first).toBe(a);
        expect(blocks.at(-1)?.last).toBe(b);
        blocks.forEach((blk, i) => {
          expect(prefixRange(blk)).toEqual(blk);
          if (i > 0) expect(blk.first).toBe((blocks[i - 1]?.last ?? 0n) + 1n);
        });
      }),
    );
  });
});
