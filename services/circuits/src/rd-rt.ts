/**
 * Route distinguishers (RFC 4364 §4.2) and route targets (RFC 4360 §4 / RFC 5668: the same three
 * layouts as RD types 0/1/2). Pure: parsing, canonical text, and the exact ranges of each type
 * (reference circuits-routing.md §1–2).
 *
 * | type | administrator          | assigned number | text          |
 * | 0    | 2-byte ASN (1–65535)   | 0–4294967295    | `ASN:nn`      |
 * | 1    | IPv4 address           | 0–65535         | `a.b.c.d:nn`  |
 * | 2    | 4-byte ASN (up to 2³²) | 0–65535         | `ASN:nn`      |
 *
 * `65000:1` reads as type 0; an ASN above 65535 makes it type 2 (and then nn ≤ 65535); `65000L:1`
 * (Junos) and asdot `1.10:1` force type 2. Types 3 and up are not used by the operator. Only one
 * spelling is accepted per value (no leading zeros, no spaces), so the canonical text is the key
 * the database holds unique. Private administrators are allowed with a warning ("discouraged").
 */

export type RdRtKind = 'RD' | 'RT';
export type RdType = 0 | 1 | 2;

export interface RdRtValue {
  kind: RdRtKind;
  type: RdType;
  /** Decimal ASN (types 0 and 2) or dotted IPv4 (type 1). */
  administrator: string;
  assigned: number;
  /** Canonical text: `2200:1001`, `193.51.24.1:7`, `4200000001:9`. At most 21 characters. */
  text: string;
  /** Allowed but discouraged (a private ASN or private IPv4 as administrator). */
  warnings: string[];
}

export type RdRtCode =
  | 'SYNTAX'
  | 'TYPE_UNSUPPORTED'
  | 'ASN_RESERVED'
  | 'ASN_RANGE'
  | 'TYPE0_FOUR_BYTE_ASN'
  | 'NUMBER_RANGE'
  | 'IPV4_INVALID'
  | 'IPV4_NOT_UNICAST';

export class RdRtError extends Error {
  constructor(
    readonly kind: RdRtKind,
    readonly code: RdRtCode,
    message: string,
  ) {
    super(`${kind}: ${message}`);
    this.name = 'RdRtError';
  }
}

export const MAX_U16 = 65535;
export const MAX_U32 = 4294967295;
/** `255.255.255.255:65535`: the longest text any type gives (NetBox's column width). */
export const MAX_TEXT_LENGTH = 21;

/** Upper bound of the assigned number for a type. */
export function maxAssigned(type: RdType): number {
  return type === 0 ? MAX_U32 : MAX_U16;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
// RFC 7607 (AS 0), RFC 6793 (AS_TRANS), RFC 7300 (last ASN of each space).
const RESERVED_ASNS = new Map<number, string>([
  [0, 'AS 0 is reserved (RFC 7607)'],
  [23456, 'AS 23456 is AS_TRANS (RFC 6793)'],
  [65535, 'AS 65535 is reserved (RFC 7300)'],
  [MAX_U32, 'AS 4294967295 is reserved (RFC 7300)'],
]);

function decimal(kind: RdRtKind, s: string, what: string): number {
  if (!DECIMAL.test(s) || s.length > 10) {
    throw new RdRtError(kind, 'SYNTAX', `${what} "${s}" is not a decimal number without leading zeros`);
  }
  return Number(s);
}

function checkAsn(kind: RdRtKind, asn: number): string[] {
  const reserved = RESERVED_ASNS.get(asn);
  if (reserved) throw new RdRtError(kind, 'ASN_RESERVED', reserved);
  if (asn > MAX_U32) throw new RdRtError(kind, 'ASN_RANGE', `AS ${asn} is beyond 4294967295`);
  const priv = (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294);
  return priv ? [`AS ${asn} is a private ASN: discouraged as ${kind} administrator`] : [];
}

function checkNumber(kind: RdRtKind, type: RdType, n: number): void {
  const max = maxAssigned(type);
  if (n > max) {
    throw new RdRtError(kind, 'NUMBER_RANGE', `the assigned number ${n} is beyond ${max} for type ${type}`);
  }
}

/** Strict dotted quad: four decimal octets 0–255 without leading zeros. */
function parseIpv4(kind: RdRtKind, s: string): { octets: number[]; warnings: string[] } {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !DECIMAL.test(p) || p.length > 3 || Number(p) > 255)) {
    throw new RdRtError(kind, 'IPV4_INVALID', `"${s}" is not an IPv4 address`);
  }
  const o = parts.map(Number) as [number, number, number, number];
  if (o.every((x) => x === 0)) throw new RdRtError(kind, 'IPV4_NOT_UNICAST', '0.0.0.0 is not an address');
  if (o[0] >= 224) {
    throw new RdRtError(kind, 'IPV4_NOT_UNICAST', `${s} is multicast or reserved, not a unicast address`);
  }
  const priv = o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168);
  return { octets: o, warnings: priv ? [`${s} is private: discouraged as ${kind} administrator`] : [] };
}

/**
 * Builds a value from its parts (what allocation does); throws RdRtError when the parts are out
 * of the type's range — a type 0 with a 4-byte ASN is refused, never silently promoted.
 */
export function formatRdRt(kind: RdRtKind, type: RdType, administrator: string, assigned: number): RdRtValue {
  if (!Number.isInteger(assigned) || assigned < 0) {
    throw new RdRtError(
      kind,
      'NUMBER_RANGE',
      `the assigned number ${assigned} is not a non-negative integer`,
    );
  }
  if (type === 1) {
    const { warnings } = parseIpv4(kind, administrator);
    checkNumber(kind, 1, assigned);
    return done(kind, 1, administrator, assigned, warnings);
  }
  if (type !== 0 && type !== 2) {
    throw new RdRtError(kind, 'TYPE_UNSUPPORTED', `type ${String(type)} is not used (types 0, 1 and 2 only)`);
  }
  const asn = decimal(kind, administrator, 'the ASN');
  const warnings = checkAsn(kind, asn);
  if (type === 0 && asn > MAX_U16) {
    throw new RdRtError(
      kind,
      'TYPE0_FOUR_BYTE_ASN',
      `type 0 holds a 2-byte ASN: AS ${asn} needs type 2 (with an assigned number ≤ 65535)`,
    );
  }
  checkNumber(kind, type, assigned);
  return done(kind, type, String(asn), assigned, warnings);
}

function done(kind: RdRtKind, type: RdType, administrator: string, assigned: number, warnings: string[]) {
  // A type 2 with a 2-byte ASN keeps its `L` so that the text reads back as type 2.
  const text =
    type === 2 && Number(administrator) <= MAX_U16
      ? `${administrator}L:${assigned}`
      : `${administrator}:${assigned}`;
  // Unreachable with the ranges above; kept as the invariant the database column relies on.
  if (text.length > MAX_TEXT_LENGTH) throw new RdRtError(kind, 'SYNTAX', `"${text}" is longer than 21`);
  return { kind, type, administrator, assigned, text, warnings };
}

/**
 * Parses the text form. Accepts `ASN:nn`, `a.b.c.d:nn`, `ASNL:nn` and asdot `X.Y:nn` (both
 * type 2); for RTs also BIRD/Junos's `target:` prefix. Returns the canonical value.
 */
export function parseRdRt(kind: RdRtKind, input: string): RdRtValue {
  let s = input;
  if (kind === 'RT' && s.startsWith('target:')) s = s.slice('target:'.length);
  if (s.length === 0 || /\s/.test(s)) {
    throw new RdRtError(kind, 'SYNTAX', `"${input}" is empty or has spaces`);
  }
  const colon = s.lastIndexOf(':');
  if (colon <= 0 || colon === s.length - 1 || s.indexOf(':') !== colon) {
    throw new RdRtError(kind, 'SYNTAX', `"${input}" is not administrator:number`);
  }
  const admin = s.slice(0, colon);
  const assigned = decimal(kind, s.slice(colon + 1), 'the assigned number');
  const dots = admin.split('.').length - 1;
  if (dots === 3) return formatRdRt(kind, 1, admin, assigned);
  if (dots === 1) {
    // asdot: high.low, each 0–65535.
    const [hi, lo] = admin.split('.') as [string, string];
    const h = decimal(kind, hi, 'the asdot high part');
    const l = decimal(kind, lo, 'the asdot low part');
    if (h > MAX_U16 || l > MAX_U16) throw new RdRtError(kind, 'ASN_RANGE', `asdot ${admin} is out of range`);
    return formatRdRt(kind, 2, String(h * 65536 + l), assigned);
  }
  if (dots !== 0) throw new RdRtError(kind, 'SYNTAX', `"${admin}" is neither an ASN nor an IPv4 address`);
  if (admin.endsWith('L')) return formatRdRt(kind, 2, admin.slice(0, -1), assigned);
  const asn = decimal(kind, admin, 'the ASN');
  return formatRdRt(kind, asn > MAX_U16 ? 2 : 0, admin, assigned);
}

/** The type an administrator gives by itself: an IPv4 → 1, an ASN > 65535 → 2, else 0. */
export function typeForAdministrator(administrator: string): RdType {
  if (administrator.includes('.')) return 1;
  return DECIMAL.test(administrator) && Number(administrator) > MAX_U16 ? 2 : 0;
}

/** BIRD's extended-community literal for a route target: `(rt, 2200, 1001)`. */
export function birdRt(v: RdRtValue): string {
  return `(rt, ${v.administrator}, ${v.assigned})`;
}
