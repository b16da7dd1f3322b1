import { type Family, parsePrefix } from '@guichet/net';
import { Address4, Address6 } from 'ip-address';

/**
 * Pure prefix arithmetic for the allocator (bigint, no I/O). Local until `@guichet/net` ships
 * its prefix math (prefixRange, freeBlocks, firstFit…); then these become thin wrappers.
 */

export interface Block {
  family: Family;
  /** Network address as an unsigned integer. */
  net: bigint;
  len: number;
}

export const STRATEGIES = ['best_fit', 'sparse', 'first_fit', 'last_fit'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const LIFECYCLES = ['reserved', 'active', 'returned', 'quarantined', 'free'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];
/** Lifecycles whose space is not reusable (the exclusion constraint covers exactly these). */
export const HOLDING: readonly Lifecycle[] = ['reserved', 'active', 'returned', 'quarantined'];

export const maxBits = (f: Family): number => (f === 4 ? 32 : 128);

export function toBlock(text: string, path: (string | number)[] = []): Block {
  const p = parsePrefix(text, path);
  const net = p.family === 4 ? new Address4(p.address).bigInt() : new Address6(p.address).bigInt();
  return { family: p.family, net, len: p.length };
}

export function fromBlock(b: Block): string {
  const a =
    b.family === 4 ? Address4.fromBigInt(b.net).correctForm() : Address6.fromBigInt(b.net).correctForm();
  return `${a}/${b.len}`;
}

/** Number of addresses in a block of this length, as a bigint. */
export const sizeOf = (family: Family, len: number): bigint => 1n << BigInt(maxBits(family) - len);

export const lastAddress = (b: Block): bigint => b.net + sizeOf(b.family, b.len) - 1n;

export function contains(outer: Block, inner: Block): boolean {
  return (
    outer.family === inner.family &&
    outer.len <= inner.len &&
    inner.net >= outer.net &&
    lastAddress(inner) <= lastAddress(outer)
  );
}

export function overlaps(a: Block, b: Block): boolean {
  return a.family === b.family && a.net <= lastAddress(b) && b.net <= lastAddress(a);
}

export const isAligned = (family: Family, net: bigint, len: number): boolean =>
  net % sizeOf(family, len) === 0n;

/** The other half of the parent block. */
export function buddy(b: Block): Block {
  return { ...b, net: b.net ^ sizeOf(b.family, b.len) };
}

export function parent(b: Block): Block {
  const len = b.len - 1;
  return { ...b, len, net: b.net - (b.net % sizeOf(b.family, len)) };
}

/**
 * What is left of `outer` once `inner` is taken: one block per level between them (the
 * siblings along the path), largest first. The buddy decomposition the free list keeps.
 */
export function remainder(outer: Block, inner: Block): Block[] {
  const out: Block[] = [];
  for (let cur = inner; cur.len > outer.len; cur = parent(cur)) out.push(buddy(cur));
  return out.reverse();
}

/**
 * Alignment for reverse delegation: IPv6 requests start on a nibble boundary (a /47 starts on
 * a /44 boundary, so its ip6.arpa zones stay whole); IPv4 blocks of /24 or more are
 * CIDR-aligned anyway, and smaller ones pack (scarce space: no /24 per /26).
 */
export function alignmentLength(family: Family, len: number): number {
  return family === 6 ? Math.floor(len / 4) * 4 : len;
}

/**
 * Where, inside a free block, a block of `len` goes: at its start, except for last-fit
 * (at its end). `align` ≤ `len`: the start also sits on an `align` boundary.
 */
export function placeIn(free: Block, len: number, strategy: Strategy, align = len): Block | undefined {
  if (free.len > len) return undefined;
  const step = sizeOf(free.family, Math.min(align, len));
  const size = sizeOf(free.family, len);
  const end = lastAddress(free);
  if (strategy === 'last_fit') {
    let start = ((end + 1n - size) / step) * step;
    if (start < free.net) return undefined;
    start -= start % size;
    return start >= free.net ? { family: free.family, net: start, len } : undefined;
  }
  const start = ((free.net + step - 1n) / step) * step;
  return start + size - 1n <= end ? { family: free.family, net: start, len } : undefined;
}

/** Units the pool counters use: addresses for IPv4, /64s for IPv6 (bigint columns stay exact). */
export const unitLength = (family: Family): number => (family === 4 ? 32 : 64);

export function unitsOf(family: Family, len: number): number {
  const u = unitLength(family);
  return len >= u ? 1 : Number(1n << BigInt(u - len));
}

/** Blocks of `region` not covered by `taken` (pure; used to rebuild a freed region). */
export function subtract(region: Block, taken: Block[]): Block[] {
  const inside = taken.filter((t) => overlaps(region, t));
  if (inside.length === 0) return [region];
  if (inside.some((t) => contains(t, region))) return [];
  const half = sizeOf(region.family, region.len + 1);
  const lo: Block = { ...region, len: region.len + 1 };
  const hi: Block = { ...lo, net: region.net + half };
  return [...subtract(lo, inside), ...subtract(hi, inside)];
}
