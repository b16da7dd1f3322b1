/**
 * Zone data Guichet publishes into the operator's zones (reverse parent zones for rdns, the
 * operator's own `.prd.fr` for domains): delegations (NS, in-domain glue, DS) and whole zone
 * texts. Pure; the output is checked by named-checkzone before it is published.
 */

export interface NameServer {
  /** Host name, lower-case, without the final dot. */
  name: string;
  /** Glue addresses (canonical text); empty unless `name` is inside the delegated zone. */
  addresses: string[];
}

export interface DsRecord {
  keyTag: number;
  algorithm: number;
  /** 2 (SHA-256) or 4 (SHA-384): the only types accepted (reverse-dns.md §2, RFC 8624). */
  digestType: number;
  /** Upper-case hex. */
  digest: string;
}

/** What a parent zone carries for one child zone. */
export interface Delegation {
  zone: string;
  nameservers: readonly NameServer[];
  ds: readonly DsRecord[];
}

/** Canonical zone name: lower-case, no final dot. */
export function normalizeZone(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** True when `name` is at or below `zone` ("in-domain", RFC 9499). */
export function isInDomain(name: string, zone: string): boolean {
  const n = normalizeZone(name);
  const z = normalizeZone(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** Absolute form, with the final dot. */
export const fqdn = (name: string): string => `${normalizeZone(name)}.`;

const addressType = (address: string) => (address.includes(':') ? 'AAAA' : 'A');

/**
 * The records a parent carries for a delegation, one presentation line each with absolute
 * owner names: NS at the cut, glue for in-domain names only, DS.
 */
export function renderDelegation(d: Delegation, ttl = 86400): string[] {
  const lines: string[] = [];
  const owner = fqdn(d.zone);
  for (const ns of d.nameservers) lines.push(`${owner} ${ttl} IN NS ${fqdn(ns.name)}`);
  for (const ns of d.nameservers) {
    if (!isInDomain(ns.name, d.zone)) continue;
    for (const a of ns.addresses) lines.push(`${fqdn(ns.name)} ${ttl} IN ${addressType(a)} ${a}`);
  }
  for (const ds of d.ds) {
    lines.push(
      `${owner} ${ttl} IN DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest.toUpperCase()}`,
    );
  }
  return lines;
}

export interface ZoneHead {
  zone: string;
  serial: number;
  /** Primary server and contact of the operator's zone (SOA MNAME/RNAME). */
  mname: string;
  rname: string;
  /** The operator's own name servers for the zone (apex NS). */
  nameservers: string[];
  /** Addresses of in-zone apex name servers, if any. */
  glue?: Record<string, string[]>;
  ttl?: number;
}

/** A zone's text: SOA, apex NS and glue, then each child's lines (sorted by child name). */
export function renderZone(
  head: ZoneHead,
  children: readonly { zone: string; lines: readonly string[] }[],
): string {
  const ttl = head.ttl ?? 86400;
  const origin = fqdn(head.zone);
  const lines = [
    `$ORIGIN ${origin}`,
    `$TTL ${ttl}`,
    `${origin} ${ttl} IN SOA ${fqdn(head.mname)} ${fqdn(head.rname)} ${head.serial} 3600 900 1209600 3600`,
    ...head.nameservers.map((n) => `${origin} ${ttl} IN NS ${fqdn(n)}`),
  ];
  for (const [name, addrs] of Object.entries(head.glue ?? {})) {
    for (const a of addrs) lines.push(`${fqdn(name)} ${ttl} IN ${addressType(a)} ${a}`);
  }
  const sorted = [...children].sort((a, b) => a.zone.localeCompare(b.zone));
  for (const c of sorted) lines.push(`; ${c.zone}`, ...c.lines);
  return `${lines.join('\n')}\n`;
}

/** Next SOA serial in the YYYYMMDDnn convention, always greater than `previous`. */
export function nextSerial(previous: number | null, now: Date): number {
  const day = Number(now.toISOString().slice(0, 10).replaceAll('-', '')) * 100;
  const next = previous === null ? day : Math.max(day, previous + 1);
  return next > 4294967295 ? 1 : next;
}
