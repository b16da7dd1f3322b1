import { type PrefixInput, type PrefixRange, prefixRange } from './prefix-math.js';

/**
 * The one list of bogons and martians: space the public Internet does not route (reserved,
 * private, documentation, multicast…). Routing refuses to announce any of it and renders the
 * same list as its BIRD import filter; ipam refuses it as pool space meant for assignment. One
 * list, here, so that a prefix ipam hands out is never one the collectors reject.
 */
export interface Bogon {
  prefix: string;
  /** What it is and where it is reserved. */
  why: string;
}

export const BOGONS_V4: readonly Bogon[] = [
  { prefix: '0.0.0.0/8', why: '"this network" (RFC 1122)' },
  { prefix: '10.0.0.0/8', why: 'private use (RFC 1918)' },
  { prefix: '100.64.0.0/10', why: 'shared address space, CGN (RFC 6598)' },
  { prefix: '127.0.0.0/8', why: 'loopback (RFC 1122)' },
  { prefix: '169.254.0.0/16', why: 'link local (RFC 3927)' },
  { prefix: '172.16.0.0/12', why: 'private use (RFC 1918)' },
  { prefix: '192.0.0.0/24', why: 'IETF protocol assignments (RFC 6890)' },
  { prefix: '192.0.2.0/24', why: 'documentation TEST-NET-1 (RFC 5737)' },
  { prefix: '192.168.0.0/16', why: 'private use (RFC 1918)' },
  { prefix: '198.18.0.0/15', why: 'benchmarking (RFC 2544)' },
  { prefix: '198.51.100.0/24', why: 'documentation TEST-NET-2 (RFC 5737)' },
  { prefix: '203.0.113.0/24', why: 'documentation TEST-NET-3 (RFC 5737)' },
  { prefix: '224.0.0.0/4', why: 'multicast (RFC 5771)' },
  { prefix: '240.0.0.0/4', why: 'reserved, limited broadcast (RFC 1112, RFC 919)' },
];

export const BOGONS_V6: readonly Bogon[] = [
  { prefix: '::/8', why: 'unspecified, loopback, IPv4-compatible and IPv4-mapped (RFC 4291)' },
  { prefix: '100::/64', why: 'discard only (RFC 6666)' },
  { prefix: '2001::/32', why: 'Teredo (RFC 4380)' },
  { prefix: '2001:2::/48', why: 'benchmarking (RFC 5180)' },
  { prefix: '2001:10::/28', why: 'ORCHID (RFC 4843)' },
  { prefix: '2001:20::/28', why: 'ORCHIDv2 (RFC 7343)' },
  { prefix: '2001:db8::/32', why: 'documentation (RFC 3849)' },
  { prefix: '2002::/16', why: '6to4 (RFC 3056)' },
  { prefix: '3ffe::/16', why: 'former 6bone (RFC 3701)' },
  { prefix: '3fff::/20', why: 'documentation (RFC 9637)' },
  { prefix: 'fc00::/7', why: 'unique local (RFC 4193)' },
  { prefix: 'fe80::/10', why: 'link local (RFC 4291)' },
  { prefix: 'fec0::/10', why: 'former site local (RFC 3879)' },
  { prefix: 'ff00::/8', why: 'multicast (RFC 4291)' },
];

const RANGES: readonly { bogon: Bogon; range: PrefixRange }[] = [...BOGONS_V4, ...BOGONS_V6].map((bogon) => ({
  bogon,
  range: prefixRange(bogon.prefix),
}));

/** The bogon a prefix overlaps (inside it, or covering it like a default route), if any. */
export function bogonOverlapping(r: PrefixRange): Bogon | undefined {
  for (const { bogon, range } of RANGES) {
    if (range.family === r.family && range.first <= r.last && r.first <= range.last) return bogon;
  }
  return undefined;
}

/** The bogon a prefix (or prefix text) overlaps, if any: `bogonOf('10.1.0.0/16')` is RFC 1918's /8. */
export function bogonOf(prefix: PrefixInput): Bogon | undefined {
  return bogonOverlapping(prefixRange(prefix));
}
