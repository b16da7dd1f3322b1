import { bigIntToAddress, type Prefix, prefixRange, reverseZones } from '@guichet/net';

/** Pure types and functions of reverse delegation (no I/O). */

/**
 * `returned`: never published — the pre-delegation check found errors and the request went
 * back to the institution (amend and resubmit: the next pass makes a new delegation).
 * `withdrawn`: taken out of the parent zone (or given up before publication otherwise).
 */
export type DelegationState = 'requested' | 'checking' | 'published' | 'lame' | 'returned' | 'withdrawn';

/** A finding in one line, naming the server it concerns: two servers' findings never read alike. */
export function describeFinding(f: { code: string; message: string; server?: unknown }): string {
  return typeof f.server === 'string' && f.server
    ? `${f.code} at ${f.server} (${f.message})`
    : `${f.code} (${f.message})`;
}

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

/** The subset of an ipam assignment that reverse delegation needs. */
export interface AssignmentLike {
  id: string;
  institutionId: string;
  prefix: string;
  lifecycle: string;
}

/** A reverse zone an institution may delegate, derived from one of its active assignments. */
export interface DerivableZone {
  zone: string;
  kind: 'octet' | 'rfc2317' | 'nibble';
  prefix: Prefix;
  /** rfc2317: the /24 zone that holds the child's NS and one CNAME per address. */
  parent?: string;
  assignmentId: string;
}

/** What the parent publishes for one delegation. */
export interface DelegationRecords {
  zone: string;
  kind: 'octet' | 'rfc2317' | 'nibble';
  prefix: Prefix;
  parent?: string;
  nameservers: NameServer[];
  ds: DsRecord[];
}

/** Zones derivable from an institution's ACTIVE assignments (others are ignored). */
export function derivableZones(
  assignments: readonly AssignmentLike[],
  institutionId: string,
): DerivableZone[] {
  const out: DerivableZone[] = [];
  for (const a of assignments) {
    if (a.institutionId !== institutionId || a.lifecycle !== 'active') continue;
    for (const z of reverseZones(a.prefix)) {
      out.push({ zone: z.zone, kind: z.kind, prefix: z.prefix, parent: z.parent, assignmentId: a.id });
    }
  }
  return out;
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

const fqdn = (name: string) => `${normalizeZone(name)}.`;

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/**
 * The records the parent zone carries for a delegation, one presentation line each with
 * absolute owner names (so the lines fit the /24 zone as well as an enclosing /16):
 * NS at the cut, glue for in-domain names, DS; for an RFC 2317 zone also one CNAME per
 * address of the range, `A.Z.Y.X.in-addr.arpa. CNAME A.first-last.Z.Y.X.in-addr.arpa.`.
 */
export function renderParentRecords(d: DelegationRecords, ttl = 86400): string[] {
  const lines: string[] = [];
  const owner = fqdn(d.zone);
  for (const ns of d.nameservers) lines.push(`${owner} ${ttl} IN NS ${fqdn(ns.name)}`);
  for (const ns of d.nameservers) {
    if (!isInDomain(ns.name, d.zone)) continue;
    for (const a of ns.addresses)
      lines.push(`${fqdn(ns.name)} ${ttl} IN ${familyOf(a) === 4 ? 'A' : 'AAAA'} ${a}`);
  }
  for (const ds of d.ds) {
    lines.push(
      `${owner} ${ttl} IN DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest.toUpperCase()}`,
    );
  }
  if (d.kind === 'rfc2317') {
    const parent = d.parent ?? d.zone.split('.').slice(1).join('.');
    const r = prefixRange(d.prefix);
    for (let a = r.first; a <= r.last; a++) {
      const last = bigIntToAddress(4, a).split('.')[3];
      lines.push(`${last}.${fqdn(parent)} ${ttl} IN CNAME ${last}.${owner}`);
    }
  }
  return lines;
}

export interface ParentZoneHead {
  zone: string;
  serial: number;
  /** Primary server and contact of the operator's zone (SOA MNAME/RNAME). */
  mname: string;
  rname: string;
  /** The operator's own name servers for the parent zone (apex NS). */
  nameservers: string[];
  /** Addresses of in-zone apex name servers, if any. */
  glue?: Record<string, string[]>;
  ttl?: number;
}

/** Full text of the operator's parent zone: SOA, apex NS, then every delegation's records. */
export function renderParentZone(head: ParentZoneHead, delegations: readonly DelegationRecords[]): string {
  const ttl = head.ttl ?? 86400;
  const origin = fqdn(head.zone);
  const lines = [
    `$ORIGIN ${origin}`,
    `$TTL ${ttl}`,
    `${origin} ${ttl} IN SOA ${fqdn(head.mname)} ${fqdn(head.rname)} ${head.serial} 3600 900 1209600 3600`,
    ...head.nameservers.map((n) => `${origin} ${ttl} IN NS ${fqdn(n)}`),
  ];
  for (const [name, addrs] of Object.entries(head.glue ?? {})) {
    for (const a of addrs) lines.push(`${fqdn(name)} ${ttl} IN ${familyOf(a) === 4 ? 'A' : 'AAAA'} ${a}`);
  }
  const sorted = [...delegations].sort((a, b) => a.zone.localeCompare(b.zone));
  for (const d of sorted) lines.push(`; ${d.zone}`, ...renderParentRecords(d, ttl));
  return `${lines.join('\n')}\n`;
}

/** Next SOA serial in the YYYYMMDDnn convention, always greater than `previous`. */
export function nextSerial(previous: number | null, now: Date): number {
  const day = Number(now.toISOString().slice(0, 10).replaceAll('-', '')) * 100;
  const next = previous === null ? day : Math.max(day, previous + 1);
  return next > 4294967295 ? 1 : next;
}
