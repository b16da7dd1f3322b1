import { ValidationError } from '@guichet/core';
import type { Prefix } from './address.js';
import { freeRanges, normaliseFree } from './free-space.js';
import {
  blockAt,
  familyBits,
  type PrefixInput,
  type PrefixRange,
  prefixRange,
  toPrefix,
} from './prefix-math.js';

/**
 * Choosing where a new /length goes inside a parent.
 *
 * Every strategy returns a CIDR-aligned /length that is wholly free, or null when none exists.
 * Any aligned block inside the free space lies inside exactly one maximal free block, so each
 * strategy only looks at the maximal free blocks (O(n log n) in the used prefixes).
 *
 * Alignment policy (what the caller decides, not these functions):
 * - IPv6: RIPE practice is nibble-aligned assignments (/48 per End Site, /56 …) so each one is
 *   a whole set of ip6.arpa zones. The functions take `length` as given; a request for a
 *   non-nibble length (say /47) should be refused or rounded by the caller to the enclosing
 *   nibble with `nibbleLength` (/47 → /44), which hands out more space and so needs the same
 *   justification as the larger block. `isNibbleBoundary` tells which case applies.
 * - IPv4: a /length with length ≤ 24 is a whole number of /24s by construction (CIDR
 *   alignment), so octet-zone reverse delegation is always clean; only lengths > 24 share a /24
 *   (RFC 2317 delegation). bestFit places those inside already-split /24s first, which keeps
 *   whole /24s whole.
 */

/** The used prefixes, or the free blocks if the caller already keeps a free list. */
export type Occupancy = readonly PrefixInput[] | { free: readonly PrefixInput[] };

export type Strategy = 'first' | 'last' | 'best' | 'sparse';

/** RFC 3531 §3 orders for the part of the address being assigned (see `sparseRank`). */
export type SparseOrder = 'leftmost' | 'centermost' | 'rightmost';

export function isNibbleBoundary(length: number): boolean {
  return length % 4 === 0;
}

/** The nibble-aligned length at least as large as the request (/47 → /44, /48 → /48). */
export function nibbleLength(length: number): number {
  return Math.floor(length / 4) * 4;
}

interface Candidates {
  parent: PrefixRange;
  /** Maximal free blocks that can hold a /length, in address order. */
  blocks: PrefixRange[];
}

function candidates(parent: PrefixInput, occupancy: Occupancy, length: number): Candidates {
  const p = prefixRange(parent, ['parent']);
  const bits = familyBits(p.family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw ValidationError.field(['length'], `an IPv${p.family} prefix length is between 0 and ${bits}`);
  }
  const free = 'free' in occupancy ? normaliseFree(p, occupancy.free) : freeRanges(p, occupancy);
  return { parent: p, blocks: free.filter((b) => b.length <= length) };
}

/** The lowest free /length. */
export function firstFit(parent: PrefixInput, occupancy: Occupancy, length: number): Prefix | null {
  const { parent: p, blocks } = candidates(parent, occupancy, length);
  const b = blocks[0];
  return b ? toPrefix(blockAt(p.family, b.first, length)) : null;
}

/** The highest free /length (keeps e.g. infrastructure at the top, customers at the bottom). */
export function lastFit(parent: PrefixInput, occupancy: Occupancy, length: number): Prefix | null {
  const { parent: p, blocks } = candidates(parent, occupancy, length);
  const b = blocks.at(-1);
  if (!b) return null;
  const size = 1n << BigInt(familyBits(p.family) - length);
  return toPrefix(blockAt(p.family, b.last - size + 1n, length));
}

/**
 * The lowest /length of the smallest free block that can hold it (lowest address among equal
 * sizes): an exact-size hole is used before any larger block is split, keeping big blocks whole.
 */
export function bestFit(parent: PrefixInput, occupancy: Occupancy, length: number): Prefix | null {
  const { parent: p, blocks } = candidates(parent, occupancy, length);
  let best: PrefixRange | undefined;
  for (const b of blocks) if (!best || b.length > best.length) best = b;
  return best ? toPrefix(blockAt(p.family, best.first, length)) : null;
}

/**
 * Which bit of the slot index (0 = its most significant bit) each counter bit drives, counter
 * bit 0 (least significant) first — RFC 3531 §3 for a part of `k` bits:
 * - leftmost (§3.1, the RFC 1219 idea): the part's leftmost bit first; the slot index is the
 *   counter with its k bits reversed: 0, 10…0, 010…0, 110…0, 0010…0, …
 * - centermost (§3.3): the middle bit first (for even k the right one of the middle pair),
 *   then alternately one further left and one further right — for k = 8 the sequence 0, 8, 16,
 *   24, 4, 12, …; taken from a secondary reading of §3.3, to check against the RFC's table
 *   before a pool relies on it;
 * - rightmost (§3.2): ordinary counting, i.e. address order.
 */
export function sparseBitOrder(k: number, order: SparseOrder): number[] {
  const cols = Array.from({ length: k }, (_, i) => i);
  if (order === 'leftmost') return cols;
  if (order === 'rightmost') return cols.reverse();
  const out: number[] = [];
  const mid = Math.floor(k / 2);
  for (let d = 0; out.length < k; d++) {
    if (d === 0) out.push(mid);
    else {
      if (mid - d >= 0) out.push(mid - d);
      if (mid + d < k) out.push(mid + d);
    }
  }
  return out;
}

/** The rank of a slot index as a k-digit binary string (same-length strings sort as numbers). */
function rankBits(index: bigint, k: number, bitOrder: number[]): string {
  const s = index.toString(2).padStart(k, '0');
  let r = '';
  for (let j = k - 1; j >= 0; j--) r += s[bitOrder[j] as number];
  return r;
}

function rankOf(index: bigint, k: number, bitOrder: number[]): bigint {
  return k === 0 ? 0n : BigInt(`0b${rankBits(index, k, bitOrder)}`);
}

/**
 * Position (from 0) of the /length slot `slot` in the sparse order of parent: the k-th
 * allocation in an empty parent is the slot of rank k.
 */
export function sparseRank(parent: PrefixInput, slot: PrefixInput, order: SparseOrder = 'leftmost'): bigint {
  const p = prefixRange(parent, ['parent']);
  const s = prefixRange(slot, ['slot']);
  if (s.family !== p.family || s.length < p.length || s.first < p.first || s.last > p.last) {
    throw ValidationError.field(['slot'], 'the slot is not inside the parent');
  }
  const k = s.length - p.length;
  const index = (s.first - p.first) >> BigInt(familyBits(p.family) - s.length);
  return rankOf(index, k, sparseBitOrder(k, order));
}

/** The /length slot of parent whose sparse rank is `rank` (inverse of sparseRank). */
export function sparseSlot(
  parent: PrefixInput,
  length: number,
  rank: bigint | number,
  order: SparseOrder = 'leftmost',
): Prefix {
  const p = prefixRange(parent, ['parent']);
  const k = length - p.length;
  const r = BigInt(rank);
  if (k < 0 || length > familyBits(p.family) || r < 0n || r >= 1n << BigInt(k)) {
    throw ValidationError.field(['rank'], `no /${length} of rank ${r} in a /${p.length}`);
  }
  const bitOrder = sparseBitOrder(k, order);
  let index = 0n;
  for (let j = 0; j < k; j++) {
    if ((r >> BigInt(j)) & 1n) index |= 1n << BigInt(k - 1 - (bitOrder[j] as number));
  }
  return toPrefix(blockAt(p.family, p.first + (index << BigInt(familyBits(p.family) - length)), length));
}

/**
 * RFC 3531 sparse allocation: the free /length of lowest rank in the sparse order (leftmost by
 * default: bit-reversed counting). In an empty parent the first 2^j allocations are evenly
 * spaced 2^(k−j) slots apart (k = length − parent length), so each can grow to
 * /(parent + j) without renumbering — four /48s in a /46 land at offsets 0, 2, 1, 3. With used
 * space, every slot of a free block shares its fixed bits and the rank only grows when a free
 * bit is set, so the best slot of each maximal free block is its first one: the search costs one
 * rank per free block, never a walk over the 2^k slots.
 */
export function sparse(
  parent: PrefixInput,
  occupancy: Occupancy,
  length: number,
  order: SparseOrder = 'leftmost',
): Prefix | null {
  const { parent: p, blocks } = candidates(parent, occupancy, length);
  const k = length - p.length;
  if (k < 0) return null;
  const shift = BigInt(familyBits(p.family) - length);
  const bitOrder = sparseBitOrder(k, order);
  let best: { first: bigint; rank: string } | undefined;
  for (const b of blocks) {
    const rank = rankBits((b.first - p.first) >> shift, k, bitOrder);
    if (!best || rank < best.rank) best = { first: b.first, rank };
  }
  return best ? toPrefix(blockAt(p.family, best.first, length)) : null;
}

/** One entry point for a pool's configured strategy (`order` applies to sparse only). */
export function allocate(
  strategy: Strategy,
  parent: PrefixInput,
  occupancy: Occupancy,
  length: number,
  order: SparseOrder = 'leftmost',
): Prefix | null {
  switch (strategy) {
    case 'first':
      return firstFit(parent, occupancy, length);
    case 'last':
      return lastFit(parent, occupancy, length);
    case 'best':
      return bestFit(parent, occupancy, length);
    case 'sparse':
      return sparse(parent, occupancy, length, order);
  }
}
