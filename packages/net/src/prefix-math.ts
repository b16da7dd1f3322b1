import { ValidationError } from '@guichet/core';
import { Address6 } from 'ip-address';
import { type Family, type Prefix, parsePrefix } from './address.js';

/**
 * Prefixes as numbers. Every address is a bigint (IPv4 too, so one code path serves both
 * families); a prefix is the closed interval [first, last] of its addresses. Text ⇄ number
 * conversion is done here rather than through ip-address objects because allocation works on
 * 10⁵ prefixes at a time; the output is the same canonical text as `parsePrefix` (RFC 5952,
 * checked against ip-address by property tests), and anything unusual (embedded IPv4 in
 * IPv6) falls back to ip-address.
 */

export interface PrefixRange {
  family: Family;
  first: bigint;
  last: bigint;
  length: number;
}

/** An address interval that need not be a CIDR block (RPSL `inetnum` keys). */
export interface AddressRange {
  family: Family;
  first: bigint;
  last: bigint;
}

/** Anything the prefix functions accept: a parsed prefix, its numeric form, or text `a/len`. */
export type PrefixInput = Prefix | PrefixRange | string;

type Path = (string | number)[];

export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

const V4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

const POW2: readonly bigint[] = Array.from({ length: 130 }, (_, i) => 1n << BigInt(i));
/** MASK[h] = 2^h − 1, the host-bit mask of a block of 2^h addresses. */
const MASK: readonly bigint[] = POW2.map((x) => x - 1n);

/** 2^h as a bigint, 0 ≤ h ≤ 129 (cached). */
export function pow2(h: number): bigint {
  return POW2[h] ?? 1n << BigInt(h);
}

/** ⌊log2 x⌋ for 1 ≤ x < 2^129: a float estimate, corrected by one exact comparison. */
function log2Floor(x: bigint): number {
  let h = Math.floor(Math.log2(Number(x)));
  if (pow2(h) > x) h--;
  else if (pow2(h + 1) <= x) h++;
  return h;
}

/** Number of bits needed to write x ≥ 0 (0 for 0). */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : log2Floor(x) + 1;
}

/** Number of trailing zero bits of x, at most `cap` (x = 0 gives cap). */
function trailingZeros(x: bigint, cap: number): number {
  if (x === 0n) return cap;
  return Math.min(cap, Math.round(Math.log2(Number(x & -x)))); // exact: a power of two
}

const V6_FAST = /^[0-9a-fA-F:]+$/;

function parseV6Fast(text: string): bigint | undefined {
  if (!V6_FAST.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return undefined;
  let hex = '';
  for (const g of head) {
    if (g.length === 0 || g.length > 4) return undefined;
    hex += g.length === 4 ? g : '000'.slice(g.length - 1) + g;
  }
  hex += '0000'.repeat(8 - n);
  for (const g of tail) {
    if (g.length === 0 || g.length > 4) return undefined;
    hex += g.length === 4 ? g : '000'.slice(g.length - 1) + g;
  }
  return BigInt(`0x${hex}`);
}

/** The number of an address in `family`; ValidationError (at `path`) if it is not one. */
export function addressToBigInt(family: Family, text: string, path: Path = []): bigint {
  if (family === 4) {
    const parts = text.split('.');
    if (parts.length === 4 && parts.every((p) => V4_OCTET.test(p))) {
      return BigInt(parts.reduce((acc, p) => acc * 256 + Number(p), 0));
    }
  } else {
    const fast = parseV6Fast(text);
    if (fast !== undefined) return fast;
    if (text.includes(':') && Address6.isValid(text) && !text.includes('%') && !text.includes('/')) {
      return new Address6(text).bigInt();
    }
  }
  throw ValidationError.field(path, `"${text}" is not an IPv${family} address`);
}

/** Canonical text (dotted quad, RFC 5952 for IPv6) of the address numbered `value`. */
export function bigIntToAddress(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const hex = value.toString(16).padStart(32, '0');
  const g: string[] = [];
  for (let i = 0; i < 32; i += 4) {
    let j = i;
    while (j < i + 3 && hex.charCodeAt(j) === 48) j++; // drop leading zeros, keep the last digit
    g.push(hex.slice(j, i + 4));
  }
  // RFC 5952 §4.2: the longest run of two or more zero groups (the first on a tie) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

function check(family: Family, first: bigint, length: number, what: string, path: Path): void {
  const bits = familyBits(family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw ValidationError.field(path, `${what}: an IPv${family} prefix length is between 0 and ${bits}`);
  }
  if (first < 0n || first >= pow2(bits) || (first & (MASK[bits - length] as bigint)) !== 0n) {
    throw ValidationError.field(path, `${what} is not a prefix (host bits set or out of range)`);
  }
}

/** `{ family, first, last, length }` of a prefix; ValidationError if it is not a valid prefix. */
export function prefixRange(input: PrefixInput, path: Path = []): PrefixRange {
  const p = typeof input === 'string' ? parsePrefix(input, path) : input;
  if ('first' in p) {
    check(p.family, p.first, p.length, `${p.first}/${p.length}`, path);
    const last = p.first + (MASK[familyBits(p.family) - p.length] as bigint);
    if (p.last !== last) throw ValidationError.field(path, `range of /${p.length} must end at ${last}`);
    return p;
  }
  const first = addressToBigInt(p.family, p.address, path);
  check(p.family, first, p.length, `${p.address}/${p.length}`, path);
  return {
    family: p.family,
    first,
    last: first + (MASK[familyBits(p.family) - p.length] as bigint),
    length: p.length,
  };
}

/** The prefix `first/length` (first must be aligned). */
export function makePrefix(family: Family, first: bigint, length: number): Prefix {
  check(family, first, length, `${first}/${length}`, []);
  return { family, address: bigIntToAddress(family, first), length };
}

/** Internal: a PrefixRange from an aligned first address, without re-checking. */
export function blockAt(family: Family, first: bigint, length: number): PrefixRange {
  return { family, first, last: first + (MASK[familyBits(family) - length] as bigint), length };
}

export function toPrefix(r: PrefixRange): Prefix {
  return { family: r.family, address: bigIntToAddress(r.family, r.first), length: r.length };
}

/** The prefix whose addresses are exactly [first, last]; ValidationError if that is no CIDR block. */
export function prefixFromRange(r: AddressRange, path: Path = []): Prefix {
  const size = r.last - r.first + 1n;
  const hostBits = size > 0n ? bitLength(size) - 1 : -1;
  if (hostBits < 0 || size !== pow2(hostBits)) {
    throw ValidationError.field(path, 'the range is not a CIDR block (its size is not a power of two)');
  }
  const length = familyBits(r.family) - hostBits;
  check(r.family, r.first, length, `${bigIntToAddress(r.family, r.first)}/${length}`, path);
  return toPrefix(blockAt(r.family, r.first, length));
}

/** Whether a contains b (a prefix contains itself). Different families never contain each other. */
export function contains(a: PrefixInput, b: PrefixInput): boolean {
  const x = prefixRange(a);
  const y = prefixRange(b);
  return x.family === y.family && x.first <= y.first && y.last <= x.last;
}

/** Whether a and b share an address (for prefixes: one contains the other). */
export function overlaps(a: PrefixInput, b: PrefixInput): boolean {
  const x = prefixRange(a);
  const y = prefixRange(b);
  return x.family === y.family && x.first <= y.last && y.first <= x.last;
}

/** Sort order: IPv4 before IPv6, then by first address, then shorter (containing) prefix first. */
export function compare(a: PrefixInput, b: PrefixInput): number {
  const x = prefixRange(a);
  const y = prefixRange(b);
  if (x.family !== y.family) return x.family - y.family;
  if (x.first !== y.first) return x.first < y.first ? -1 : 1;
  return x.length - y.length;
}

function childLength(parent: PrefixRange, length: number): bigint {
  const bits = familyBits(parent.family);
  if (!Number.isInteger(length) || length < parent.length || length > bits) {
    throw ValidationError.field(
      ['length'],
      `subnets of a /${parent.length} have a length between ${parent.length} and ${bits}, not ${length}`,
    );
  }
  return 1n << BigInt(bits - length);
}

/** How many /length subnets `parent` holds (2^(length − parent length)). */
export function subnetCount(parent: PrefixInput, length: number): bigint {
  const p = prefixRange(parent);
  childLength(p, length);
  return 1n << BigInt(length - p.length);
}

/** The n-th (from 0) /length subnet of parent. */
export function nthSubnet(parent: PrefixInput, length: number, n: bigint | number): Prefix {
  const p = prefixRange(parent);
  const size = childLength(p, length);
  const i = BigInt(n);
  if (i < 0n || i >= 1n << BigInt(length - p.length)) {
    throw ValidationError.field(
      ['n'],
      `a /${p.length} has ${1n << BigInt(length - p.length)} /${length} subnets; no number ${i}`,
    );
  }
  return toPrefix(blockAt(p.family, p.first + i * size, length));
}

/** The /length subnets of parent in address order, lazily (a /32 holds 2^16 /48s). */
export function* subnets(parent: PrefixInput, length: number): Generator<Prefix, void, undefined> {
  const p = prefixRange(parent);
  const size = childLength(p, length);
  for (let a = p.first; a <= p.last; a += size) yield toPrefix(blockAt(p.family, a, length));
}

/**
 * The minimal list of CIDR blocks whose union is exactly [first, last], in address order.
 * Greedy: from the left, the largest block aligned at the cursor that still fits. Those are
 * the maximal aligned blocks inside the interval, which is the unique minimal cover.
 */
export function coverRange(family: Family, first: bigint, last: bigint): PrefixRange[] {
  const bits = familyBits(family);
  const out: PrefixRange[] = [];
  let a = first;
  while (a <= last) {
    const h = Math.min(trailingZeros(a, bits), log2Floor(last - a + 1n));
    const next = a + pow2(h);
    out.push({ family, first: a, last: next - 1n, length: bits - h });
    a = next;
  }
  return out;
}

/** Length of the longest common prefix of two addresses of `family`. */
export function commonPrefixLength(family: Family, a: bigint, b: bigint): number {
  return familyBits(family) - bitLength(a ^ b);
}
