import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';

/**
 * Brute-force oracles on small spaces for the prefix-math property tests. A space is a parent
 * prefix cut into units of one /unit each (IPv4: single addresses, /32; IPv6: /48s), so a
 * parent holds at most 2^16 units and every question ("is this free?", "which slots fit?") is
 * answered by enumerating them. Text ⇄ number goes through ip-address, not the code under test.
 */

export type Family = 4 | 6;

export interface Space {
  family: Family;
  first: bigint;
  length: number;
  unit: number;
  /** Number of units in the parent. */
  units: number;
}

export interface Case {
  parent: string;
  used: string[];
  length: number;
}

export const bits = (f: Family) => (f === 4 ? 32 : 128);

export function num(prefix: string): { family: Family; first: bigint; length: number } {
  const [a = '', l = ''] = prefix.split('/');
  const family: Family = a.includes(':') ? 6 : 4;
  return {
    family,
    first: family === 4 ? new Address4(a).bigInt() : new Address6(a).bigInt(),
    length: Number(l),
  };
}

export function text(family: Family, first: bigint, length: number): string {
  const a =
    family === 4 ? Address4.fromBigInt(first).correctForm() : Address6.fromBigInt(first).correctForm();
  return `${a}/${length}`;
}

// Math.max/min do not take bigints.
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);

export function makeSpace(parent: string, unit: number): Space {
  const p = num(parent);
  return { ...p, unit, units: 2 ** (unit - p.length) };
}

/** Units of the space a prefix covers, as [lo, hi], or null when it misses the space. */
export function span(s: Space, prefix: string): [number, number] | null {
  const u = num(prefix);
  if (u.family !== s.family) return null;
  const b = bits(s.family);
  const uLast = u.first + (1n << BigInt(b - u.length)) - 1n;
  const sLast = s.first + (1n << BigInt(b - s.length)) - 1n;
  if (uLast < s.first || u.first > sLast) return null;
  const lo = bigMax(u.first, s.first);
  const hi = bigMin(uLast, sLast);
  const shift = BigInt(b - s.unit);
  return [Number((lo - s.first) >> shift), Number((hi - s.first) >> shift)];
}

export class Occupancy {
  readonly used: Uint8Array;
  /** cum[i] = used units among the first i. */
  private readonly cum: Int32Array;
  constructor(
    readonly space: Space,
    used: readonly string[],
  ) {
    this.used = new Uint8Array(space.units);
    for (const u of used) {
      const sp = span(space, u);
      if (sp) this.used.fill(1, sp[0], sp[1] + 1);
    }
    this.cum = new Int32Array(space.units + 1);
    for (let i = 0; i < space.units; i++) this.cum[i + 1] = (this.cum[i] ?? 0) + (this.used[i] ?? 0);
  }
  freeUnits(lo: number, hi: number): boolean {
    return (this.cum[hi + 1] ?? 0) - (this.cum[lo] ?? 0) === 0;
  }
  /** Units per /length slot. */
  slotUnits(length: number): number {
    return 2 ** (this.space.unit - length);
  }
  slotFree(length: number, i: number): boolean {
    const n = this.slotUnits(length);
    return this.freeUnits(i * n, i * n + n - 1);
  }
  /** Indexes of the wholly free /length slots, ascending. */
  freeSlots(length: number): number[] {
    if (length < this.space.length) return [];
    const out: number[] = [];
    const count = 2 ** (length - this.space.length);
    for (let i = 0; i < count; i++) if (this.slotFree(length, i)) out.push(i);
    return out;
  }
  slotText(length: number, i: number): string {
    const shift = BigInt(bits(this.space.family) - length);
    return text(this.space.family, this.space.first + (BigInt(i) << shift), length);
  }
  /** Shortest length of a wholly free aligned block (inside the parent) containing slot i. */
  envelope(length: number, i: number): number {
    let len = length;
    let idx = i;
    while (len > this.space.length && this.slotFree(len - 1, idx >> 1)) {
      len--;
      idx >>= 1;
    }
    return len;
  }
  freeCount(): number {
    return this.space.units - (this.cum[this.space.units] ?? 0);
  }
}

/** A prefix of `length` around a random offset of the space (may contain the parent if shorter). */
function around(family: Family, first: bigint, parentLength: number, length: number, offset: bigint): string {
  const b = bits(family);
  const addr = first + (offset % (1n << BigInt(b - parentLength)));
  return text(family, (addr >> BigInt(b - length)) << BigInt(b - length), length);
}

/** Used prefixes: mostly inside the parent, a few containing it, a few anywhere near it. */
function usedArb(
  family: Family,
  parent: { first: bigint; length: number },
  inside: [number, number],
  region: { first: bigint; length: number },
): fc.Arbitrary<string[]> {
  const span = fc.bigInt(0n, (1n << BigInt(bits(family))) - 1n);
  const where = (lo: number, hi: number, from: { first: bigint; length: number }) =>
    fc
      .tuple(fc.integer({ min: lo, max: hi }), span)
      .map(([len, off]) => around(family, from.first, from.length, len, off));
  return fc.array(
    fc.oneof(
      { weight: 12, arbitrary: where(inside[0], inside[1], parent) },
      { weight: 1, arbitrary: where(Math.max(parent.length - 3, region.length), parent.length, parent) },
      { weight: 1, arbitrary: where(inside[0], inside[1], region) },
    ),
    { maxLength: 24 },
  );
}

/** IPv4 parents /20–/28, used prefixes /22–/30 inside them (a few containing or outside). */
export const v4Case: fc.Arbitrary<Case> = fc
  .record({ length: fc.integer({ min: 20, max: 28 }), seed: fc.bigInt(0n, 2n ** 32n - 1n) })
  .map(({ length, seed }) => ({ length, first: (seed >> BigInt(32 - length)) << BigInt(32 - length) }))
  .chain((p) =>
    fc.record({
      parent: fc.constant(text(4, p.first, p.length)),
      used: usedArb(4, p, [Math.max(p.length, 22), 30], { first: (p.first >> 16n) << 16n, length: 16 }),
      length: fc.integer({ min: Math.max(p.length - 1, 0), max: 30 }),
    }),
  );

const DB8 = 0x20010db8n << 96n;

/** IPv6 parents /32–/40 in 2001:db8::/29, used /36–/48 inside them (a few containing or outside). */
export const v6Case: fc.Arbitrary<Case> = fc
  .record({ length: fc.integer({ min: 32, max: 40 }), seed: fc.bigInt(0n, 2n ** 99n - 1n) })
  .map(({ length, seed }) => ({
    length,
    first: ((DB8 + seed) >> BigInt(128 - length)) << BigInt(128 - length),
  }))
  .chain((p) =>
    fc.record({
      parent: fc.constant(text(6, p.first, p.length)),
      used: usedArb(6, p, [Math.max(p.length, 36), 48], { first: DB8, length: 29 }),
      length: fc.integer({ min: Math.max(p.length - 1, 0), max: 48 }),
    }),
  );

export function spaceOf(c: Case): Space {
  return makeSpace(c.parent, c.parent.includes(':') ? 48 : 32);
}
