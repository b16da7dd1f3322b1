import { ValidationError } from '@guichet/core';
import type { Prefix } from './address.js';
import {
  blockAt,
  commonPrefixLength,
  coverRange,
  familyBits,
  type PrefixInput,
  type PrefixRange,
  prefixRange,
  toPrefix,
} from './prefix-math.js';

/**
 * Free space inside a parent prefix. The used prefixes may overlap, nest, repeat, lie partly or
 * wholly outside the parent, or be of the other family (ignored). Cost: one sort of the used
 * prefixes, then one pass — O(n log n) in their number, independent of the size of the space.
 */

type Interval = [bigint, bigint];

// Math.max/min do not take bigints.
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);

/** The prefixes of parent's family that meet parent, clipped to it and sorted by start. */
function clipped(parent: PrefixRange, list: readonly PrefixInput[], name: string) {
  const iv: Interval[] = [];
  let maxLength = parent.length;
  for (let i = 0; i < list.length; i++) {
    const u = prefixRange(list[i] as PrefixInput, [name, i]);
    if (u.family !== parent.family || u.last < parent.first || u.first > parent.last) continue;
    iv.push([bigMax(u.first, parent.first), bigMin(u.last, parent.last)]);
    if (u.length > maxLength) maxLength = u.length;
  }
  iv.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { iv, maxLength };
}

const TWO32 = 2 ** 32;
/** Trailing zero bits of an integer 0 < a < 2^53. */
function tz(a: number): number {
  const lo = a % TWO32;
  return lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32((a / TWO32) & -(a / TWO32));
}
/** ⌊log2 x⌋ of an integer 1 ≤ x < 2^53. */
function log2(x: number): number {
  const hi = Math.floor(x / TWO32);
  return hi ? 63 - Math.clz32(hi) : 31 - Math.clz32(x);
}

/**
 * Minimal CIDR cover of sorted, disjoint intervals inside p. Every boundary is a multiple of
 * 2^(bits − maxLength) (the longest prefix involved), so when p holds at most 2^52 such units —
 * e.g. /56s in a /32 — the work is done on plain numbers, one unit = 2^g addresses; otherwise
 * on bigints.
 */
function cover(p: PrefixRange, intervals: Interval[], maxLength: number): PrefixRange[] {
  const out: PrefixRange[] = [];
  const bits = familyBits(p.family);
  if (maxLength - p.length > 52) {
    for (const [a, b] of intervals) for (const blk of coverRange(p.family, a, b)) out.push(blk);
    return out;
  }
  const g = bits - maxLength;
  const G = BigInt(g);
  for (const [s, e] of intervals) {
    let a = Number((s - p.first) >> G);
    const b = Number((e - p.first) >> G);
    while (a <= b) {
      const h = Math.min(a === 0 ? 53 : tz(a), log2(b - a + 1));
      out.push(blockAt(p.family, p.first + (BigInt(a) << G), bits - g - h));
      a += 2 ** h;
    }
  }
  return out;
}

/**
 * Maximal free CIDR blocks of parent minus used, in address order (numeric form). They are the
 * minimal cover of the free space: disjoint, and no block's sibling is also wholly free.
 */
export function freeRanges(parent: PrefixInput, used: readonly PrefixInput[]): PrefixRange[] {
  const p = prefixRange(parent, ['parent']);
  const { iv, maxLength } = clipped(p, used, 'used');
  const gaps: Interval[] = [];
  let cursor = p.first;
  for (const [s, e] of iv) {
    if (s > cursor) gaps.push([cursor, s - 1n]);
    if (e >= cursor) cursor = e + 1n;
  }
  if (cursor <= p.last) gaps.push([cursor, p.last]);
  return cover(p, gaps, maxLength);
}

/** freeRanges as prefixes: the minimal set of CIDR blocks covering parent minus used. */
export function freeBlocks(parent: PrefixInput, used: readonly PrefixInput[]): Prefix[] {
  return freeRanges(parent, used).map(toPrefix);
}

/**
 * Re-derive the maximal free blocks from a caller-supplied list of free blocks (e.g. a free list
 * kept in the database), which may be split finer than maximal, unsorted or overlapping.
 * Only the parts inside parent count.
 */
export function normaliseFree(parent: PrefixInput, free: readonly PrefixInput[]): PrefixRange[] {
  const p = prefixRange(parent, ['parent']);
  const { iv, maxLength } = clipped(p, free, 'free');
  const merged: Interval[] = [];
  for (const [s, e] of iv) {
    const top = merged.at(-1);
    if (top && s <= top[1] + 1n) {
      if (e > top[1]) top[1] = e;
    } else merged.push([s, e]);
  }
  return cover(p, merged, maxLength);
}

/** The largest free block (shortest length), lowest address among equals; null if parent is full. */
export function largestFreeBlock(parent: PrefixInput, used: readonly PrefixInput[]): Prefix | null {
  let best: PrefixRange | undefined;
  for (const b of freeRanges(parent, used)) if (!best || b.length < best.length) best = b;
  return best ? toPrefix(best) : null;
}

/** How many aligned /length blocks fit in the free space (a bigint: a /32 holds 2^32 /64s). */
export function freeCount(parent: PrefixInput, used: readonly PrefixInput[], length: number): bigint {
  const p = prefixRange(parent, ['parent']);
  if (!Number.isInteger(length) || length < 0 || length > familyBits(p.family)) {
    throw ValidationError.field(
      ['length'],
      `an IPv${p.family} prefix length is between 0 and ${familyBits(p.family)}`,
    );
  }
  let n = 0n;
  for (const b of freeRanges(p, used)) if (b.length <= length) n += 1n << BigInt(length - b.length);
  return n;
}

export interface GrowthOptions {
  /** Never grow beyond this prefix (the pool). Default: no bound. */
  within?: PrefixInput;
  /**
   * Round the envelope's length up to a multiple of this (4 = IPv6 nibble, 8 = IPv4 octet) so
   * it can be delegated as whole reverse zones; never shorter than the prefix itself.
   */
  align?: number;
}

/**
 * The largest aligned envelope (shortest supernet) of `prefix` that contains none of the other
 * used prefixes: how far the holder can grow without renumbering, e.g. the /44 to reserve
 * around a new /48. Used prefixes equal to, inside, or containing `prefix` are its own
 * assignment, its sub-assignments or its pool, and are ignored; only disjoint ones block.
 * Returns at least `prefix` itself.
 */
export function growthRoom(
  prefix: PrefixInput,
  siblingsUsed: readonly PrefixInput[],
  options: GrowthOptions = {},
): Prefix {
  const p = prefixRange(prefix, ['prefix']);
  let min = 0;
  if (options.within !== undefined) {
    const w = prefixRange(options.within, ['within']);
    if (w.family !== p.family || w.first > p.first || p.last > w.last) {
      throw ValidationError.field(['within'], 'the prefix is not inside the bounding prefix');
    }
    min = w.length;
  }
  for (let i = 0; i < siblingsUsed.length; i++) {
    const u = prefixRange(siblingsUsed[i] as PrefixInput, ['siblingsUsed', i]);
    if (u.family !== p.family || (u.first <= p.last && p.first <= u.last)) continue;
    // An envelope of length ℓ ⊇ prefix contains u iff ℓ ≤ u.length and ℓ ≤ common prefix.
    const blocked = Math.min(commonPrefixLength(p.family, u.first, p.first), u.length) + 1;
    if (blocked > min) min = blocked;
  }
  if (options.align !== undefined && options.align > 1) min = Math.ceil(min / options.align) * options.align;
  const length = Math.min(min, p.length);
  const bits = familyBits(p.family);
  const first = (p.first >> BigInt(bits - length)) << BigInt(bits - length);
  return toPrefix(blockAt(p.family, first, length));
}
