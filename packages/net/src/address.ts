import { ValidationError } from '@guichet/core';
import { Address4, Address6 } from 'ip-address';

/**
 * Strict parsing of addresses and prefixes. Strict means: no leading zeros in IPv4 octets
 * (`010.0.0.1` is octal to some tools and decimal to others), no zone ids, no host bits set
 * in a prefix (`10.0.1.1/24` is an address with a mask, not a prefix), and canonical output
 * (RFC 5952 for IPv6) so the same prefix always compares equal as text.
 */

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** Network address, canonical text. */
  address: string;
  length: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const V6_CHARS = /^[0-9a-fA-F:.]+$/;
const V4_MAPPED = new Address6('::ffff:0:0/96');

/** Canonical text of an IP address, or a ValidationError at `path`. */
export function parseAddress(
  text: string,
  path: (string | number)[] = [],
): { family: Family; address: string } {
  const t = text.trim();
  if (V4.test(t)) return { family: 4, address: new Address4(t).correctForm() };
  if (t.includes(':') && V6_CHARS.test(t) && Address6.isValid(t)) {
    return { family: 6, address: new Address6(t).correctForm() };
  }
  throw ValidationError.field(path, `"${text}" is not an IPv4 or IPv6 address`);
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address (`::ffff:0:0/96`) stands for, or undefined.
 * Input boundaries refuse these: stored as IPv6 they print two ways (PostgreSQL writes
 * `::ffff:10.0.0.0`, RFC 5952 `::ffff:a00:0`) and escape every IPv4 rule.
 */
export function ipv4Mapped(canonicalV6: string): string | undefined {
  const a = new Address6(canonicalV6);
  return a.isInSubnet(V4_MAPPED) ? a.to4().correctForm() : undefined;
}

/** A prefix `address/length` with no host bits set, canonicalised. */
export function parsePrefix(text: string, path: (string | number)[] = []): Prefix {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(t.slice(slash + 1))) {
    throw ValidationError.field(path, `"${text}" is not a prefix (expected address/length)`);
  }
  const { family, address } = parseAddress(t.slice(0, slash), path);
  const length = Number(t.slice(slash + 1));
  const max = family === 4 ? 32 : 128;
  if (length > max) {
    throw ValidationError.field(path, `"${text}": an IPv${family} prefix length is at most ${max}`);
  }
  const network =
    family === 4
      ? new Address4(`${address}/${length}`).startAddress().correctForm()
      : new Address6(`${address}/${length}`).startAddress().correctForm();
  if (network !== address) {
    throw ValidationError.field(path, `"${text}" has host bits set: the prefix is ${network}/${length}`);
  }
  return { family, address, length };
}

export function formatPrefix(p: Prefix): string {
  return `${p.address}/${p.length}`;
}

/**
 * Whether `address` lies in `prefixOrAddress` (a bare address means a host prefix).
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) counts as IPv4.
 */
export function addressInPrefix(address: string, prefixOrAddress: string): boolean {
  let a: { family: Family; address: string };
  try {
    a = parseAddress(address.replace(/^::ffff:(?=\d+\.)/i, ''));
  } catch {
    return false;
  }
  const p = prefixOrAddress.includes('/')
    ? parsePrefix(prefixOrAddress)
    : { ...parseAddress(prefixOrAddress), length: 0 };
  if (!prefixOrAddress.includes('/')) p.length = p.family === 4 ? 32 : 128;
  if (a.family !== p.family) return false;
  return a.family === 4
    ? new Address4(a.address).isInSubnet(new Address4(`${p.address}/${p.length}`))
    : new Address6(a.address).isInSubnet(new Address6(`${p.address}/${p.length}`));
}
