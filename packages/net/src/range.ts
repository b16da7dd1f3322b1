import { ValidationError } from '@guichet/core';
import { type Prefix, parseAddress } from './address.js';
import {
  type AddressRange,
  addressToBigInt,
  bigIntToAddress,
  coverRange,
  type PrefixInput,
  prefixRange,
  toPrefix,
} from './prefix-math.js';

/**
 * Range notation of RPSL `inetnum` keys: `first - last`, both addresses written out, one
 * space on each side of the hyphen as the RIPE Database prints them. Ranges imported from RIPE
 * need not be CIDR blocks (`192.0.2.0 - 192.0.3.127`); `rangeToPrefixes` gives their minimal
 * CIDR cover. IPv6 ranges are accepted too (inet6num keys are prefixes, but the same text
 * appears in RIPE search results and legacy data).
 */

type Path = (string | number)[];

/** `first - last` of an address range (a prefix's first and last address). */
export function formatRange(r: AddressRange): string {
  return `${bigIntToAddress(r.family, r.first)} - ${bigIntToAddress(r.family, r.last)}`;
}

/** The inetnum key of a prefix: `toRange('192.0.2.0/24')` = `192.0.2.0 - 192.0.2.255`. */
export function toRange(prefix: PrefixInput): string {
  return formatRange(prefixRange(prefix, ['prefix']));
}

/**
 * Parse `a.b.c.d - e.f.g.h` strictly: exactly one hyphen, whitespace only around it and at the
 * ends, both sides strict addresses (no leading zeros, no mask) of the same family, first ≤ last.
 */
export function parseRange(text: string, path: Path = []): AddressRange {
  const fail = (why: string) => ValidationError.field(path, `"${text}" is not an address range: ${why}`);
  const parts = text.split('-');
  if (parts.length !== 2) throw fail('expected "first - last"');
  const [a, b] = parts.map((s) => s.trim()) as [string, string];
  if (!a || !b || /\s/.test(a) || /\s/.test(b)) throw fail('expected "first - last"');
  const first = parseAddress(a, path);
  const last = parseAddress(b, path);
  if (first.family !== last.family) throw fail('the two ends are of different IP versions');
  const r: AddressRange = {
    family: first.family,
    first: addressToBigInt(first.family, first.address, path),
    last: addressToBigInt(last.family, last.address, path),
  };
  if (r.first > r.last) throw fail('the first address is above the last');
  return r;
}

/**
 * The minimal list of CIDR prefixes covering exactly the range (text or parsed), in address
 * order: `192.0.2.0 - 192.0.3.127` → 192.0.2.0/24, 192.0.3.0/25.
 */
export function rangeToPrefixes(range: string | AddressRange, path: Path = []): Prefix[] {
  const r = typeof range === 'string' ? parseRange(range, path) : range;
  if (r.first > r.last) throw ValidationError.field(path, 'the first address is above the last');
  return coverRange(r.family, r.first, r.last).map(toPrefix);
}
