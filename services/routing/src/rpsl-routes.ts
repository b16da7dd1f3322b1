import { ValidationError } from '@guichet/core';
import { parsePrefix } from '@guichet/net';

/**
 * RPSL `route` / `route6` objects for an announced prefix (reference circuits-routing.md §10),
 * with the matching ROA advice: maxLength equal to the prefix length (RFC 9319 — a longer
 * maxLength invites forged-origin sub-prefix hijacks). Pure; one object per prefix, since a
 * deaggregated announcement needs its own exact object.
 */

export interface RouteObjectInput {
  prefix: string;
  originAs: number;
  mntBy: string[];
  source: string;
  /** Free text; each line becomes one `descr:` attribute. */
  descr?: string;
}

export interface RoaAdvice {
  prefix: string;
  maxLength: number;
  asn: number;
}

export interface RouteObject {
  /** `route` for IPv4, `route6` for IPv6. */
  type: 'route' | 'route6';
  /** In RIPE's order: route(6), descr, origin, mnt-by, source. */
  attributes: [string, string][];
  /** As the RIPE database prints it: names padded to column 16, one attribute per line. */
  text: string;
  roa: RoaAdvice;
}

// RIPE database: value column starts at 16 ("route6:" + padding).
const VALUE_COLUMN = 16;
const MNTNER = /^[A-Za-z][A-Za-z0-9_-]{0,79}$/;
const SOURCE = /^[A-Za-z][A-Za-z0-9-]{0,79}$/;
const MAX_ASN = 4294967295;

export function routeObjectsFor(input: RouteObjectInput): RouteObject {
  const p = parsePrefix(input.prefix, ['prefix']);
  const prefix = `${p.address}/${p.length}`;
  if (!Number.isInteger(input.originAs) || input.originAs < 1 || input.originAs > MAX_ASN) {
    throw ValidationError.field(['originAs'], `must be an integer between 1 and ${MAX_ASN}`);
  }
  if (input.mntBy.length === 0) throw ValidationError.field(['mntBy'], 'at least one maintainer is required');
  input.mntBy.forEach((m, i) => {
    if (!MNTNER.test(m)) throw ValidationError.field(['mntBy', i], `"${m}" is not a maintainer name`);
  });
  if (!SOURCE.test(input.source))
    throw ValidationError.field(['source'], `"${input.source}" is not a source`);
  const type = p.family === 4 ? 'route' : 'route6';
  const descr = (input.descr ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const l of descr) {
    // RPSL values are ASCII; "#" would start a comment.
    if (!/^[\x20-\x7e]*$/.test(l) || l.includes('#')) {
      throw ValidationError.field(['descr'], 'printable ASCII without "#"');
    }
  }
  const attributes: [string, string][] = [
    [type, prefix],
    ...descr.map((d): [string, string] => ['descr', d]),
    ['origin', `AS${input.originAs}`],
    ...[...new Set(input.mntBy.map((m) => m.toUpperCase()))].map((m): [string, string] => ['mnt-by', m]),
    ['source', input.source.toUpperCase()],
  ];
  const text = `${attributes.map(([k, v]) => `${`${k}:`.padEnd(VALUE_COLUMN)}${v}`).join('\n')}\n`;
  return { type, attributes, text, roa: { prefix, maxLength: p.length, asn: input.originAs } };
}
