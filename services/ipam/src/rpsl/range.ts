import { ValidationError } from '@guichet/core';
import { parsePrefix } from '@guichet/net';

/**
 * IPv4 range arithmetic for inetnum keys. The RIPE database keys inetnum objects by a range
 * `a.b.c.d - e.f.g.h`, not a prefix, so going between the two forms is needed both when we
 * render (prefix → range) and when we import (range → prefix, or a report when it is not one).
 * Kept local on purpose: packages/net is gaining its own `toRange` concurrently and this file
 * can switch to it once that lands.
 */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function ipv4ToInt(text: string): number {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) {
    throw ValidationError.field([], `"${text}" is not an IPv4 address`);
  }
  // `>>> 0` keeps the value unsigned: bitwise ops in JS are signed 32-bit.
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Ipv4Range {
  start: number;
  end: number;
}

/** `192.0.2.0/24` → `{ start, end }` (throws ValidationError on a non-IPv4 or host-bits prefix). */
export function prefixToRange(prefix: string): Ipv4Range {
  const p = parsePrefix(prefix, ['prefix']);
  if (p.family !== 4) throw ValidationError.field(['prefix'], `"${prefix}" is not an IPv4 prefix`);
  const start = ipv4ToInt(p.address);
  const size = 2 ** (32 - p.length);
  return { start, end: start + size - 1 };
}

/** The RIPE text form, with the single spaces around the dash the database prints. */
export function formatRange(r: Ipv4Range): string {
  return `${intToIpv4(r.start)} - ${intToIpv4(r.end)}`;
}

/** Parses an inetnum key. RIPE also accepts a CIDR there (and converts it), so do we. */
export function parseInetnumKey(text: string): Ipv4Range {
  const t = text.trim();
  if (t.includes('/')) return prefixToRange(t);
  const m = /^(\S+)\s*-\s*(\S+)$/.exec(t);
  if (!m?.[1] || !m[2])
    throw ValidationError.field(['inetnum'], `"${text}" is not an IPv4 range (a.b.c.d - e.f.g.h)`);
  const start = ipv4ToInt(m[1]);
  const end = ipv4ToInt(m[2]);
  if (end < start) throw ValidationError.field(['inetnum'], `"${text}": the range ends before it starts`);
  return { start, end };
}

/** The minimal list of CIDR prefixes exactly covering the range, lowest first. */
export function rangeToPrefixes(r: Ipv4Range): string[] {
  const out: string[] = [];
  let cur = r.start;
  while (cur <= r.end) {
    // Largest block aligned at `cur` that does not run past `end`.
    let len = 32;
    while (len > 0) {
      const size = 2 ** (32 - (len - 1));
      if (cur % size !== 0 || cur + size - 1 > r.end) break;
      len--;
    }
    out.push(`${intToIpv4(cur)}/${len}`);
    cur += 2 ** (32 - len);
  }
  return out;
}

/** The prefix if the range is exactly one CIDR block, else undefined. */
export function rangeAsPrefix(r: Ipv4Range): string | undefined {
  const ps = rangeToPrefixes(r);
  return ps.length === 1 ? ps[0] : undefined;
}
