import type { Prefix } from './address.js';
import {
  bigIntToAddress,
  blockAt,
  familyBits,
  type PrefixInput,
  prefixRange,
  toPrefix,
} from './prefix-math.js';

/**
 * Reverse DNS zones that exactly cover a prefix (names without the final dot, as in RIPE
 * `domain` objects; reference: shared/reference/reverse-dns.md).
 * - IPv4 up to /24: whole octet zones — a /22 is four /24 zones `z.y.x.in-addr.arpa`, a /15 two
 *   /16 zones, a /8 one.
 * - IPv4 /25–/32: one RFC 2317 zone named with a hyphenated first–last label
 *   (`0-63.2.0.192.in-addr.arpa`, the form RIPE and strict checkers accept; never `/`), with
 *   `parent` = the /24 zone that must hold the NS records and one CNAME per address.
 * - IPv6: nibble zones (RFC 3596 §2.5) — a /47 is two /48 zones, a /32 one.
 */

export interface ReverseZone {
  /** Zone name, e.g. `2.0.192.in-addr.arpa` or `8.b.d.0.1.0.0.2.ip6.arpa`. */
  zone: string;
  /** The addresses the zone serves. */
  prefix: Prefix;
  kind: 'octet' | 'rfc2317' | 'nibble';
  /** rfc2317 only: the enclosing /24 zone, which delegates the child and holds the CNAMEs. */
  parent?: string;
}

function v4Zone(first: bigint, octets: number): string {
  const labels = bigIntToAddress(4, first).split('.').slice(0, octets).reverse();
  return [...labels, 'in-addr', 'arpa'].join('.');
}

function v6Zone(first: bigint, nibbles: number): string {
  const hex = first.toString(16).padStart(32, '0').slice(0, nibbles);
  return [...hex.split('').reverse(), 'ip6', 'arpa'].join('.');
}

export function reverseZones(prefix: PrefixInput): ReverseZone[] {
  const p = prefixRange(prefix, ['prefix']);
  if (p.family === 4 && p.length > 24) {
    const first = Number(p.first & 255n);
    const last = Number(p.last & 255n);
    const parent = v4Zone(p.first, 3);
    return [{ zone: `${first}-${last}.${parent}`, prefix: toPrefix(p), kind: 'rfc2317', parent }];
  }
  const step = p.family === 4 ? 8 : 4;
  const zoneLength = Math.ceil(p.length / step) * step;
  const size = 1n << BigInt(familyBits(p.family) - zoneLength);
  const zones: ReverseZone[] = [];
  for (let a = p.first; a <= p.last; a += size) {
    zones.push({
      zone: p.family === 4 ? v4Zone(a, zoneLength / 8) : v6Zone(a, zoneLength / 4),
      prefix: toPrefix(blockAt(p.family, a, zoneLength)),
      kind: p.family === 4 ? 'octet' : 'nibble',
    });
  }
  return zones;
}
