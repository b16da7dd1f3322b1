import {
  type DsRecord,
  fqdn,
  type NameServer,
  renderDelegation,
  renderZone,
  type ZoneHead,
} from '@guichet/dns';
import { bigIntToAddress, type Prefix, prefixRange, reverseZones } from '@guichet/net';

export { type DsRecord, isInDomain, type NameServer, nextSerial, normalizeZone } from '@guichet/dns';

/** Pure types and functions of reverse delegation (no I/O). */

export type DelegationState = 'requested' | 'checking' | 'published' | 'lame' | 'withdrawn';

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

/**
 * The records the parent zone carries for a delegation, one presentation line each with
 * absolute owner names (so the lines fit the /24 zone as well as an enclosing /16):
 * NS at the cut, glue for in-domain names, DS; for an RFC 2317 zone also one CNAME per
 * address of the range, `A.Z.Y.X.in-addr.arpa. CNAME A.first-last.Z.Y.X.in-addr.arpa.`.
 */
export function renderParentRecords(d: DelegationRecords, ttl = 86400): string[] {
  const lines = renderDelegation(d, ttl);
  if (d.kind === 'rfc2317') {
    const parent = d.parent ?? d.zone.split('.').slice(1).join('.');
    const r = prefixRange(d.prefix);
    for (let a = r.first; a <= r.last; a++) {
      const last = bigIntToAddress(4, a).split('.')[3];
      lines.push(`${last}.${fqdn(parent)} ${ttl} IN CNAME ${last}.${fqdn(d.zone)}`);
    }
  }
  return lines;
}

export type ParentZoneHead = ZoneHead;

/** Full text of the operator's parent zone: SOA, apex NS, then every delegation's records. */
export function renderParentZone(head: ParentZoneHead, delegations: readonly DelegationRecords[]): string {
  const ttl = head.ttl ?? 86400;
  return renderZone(
    head,
    delegations.map((d) => ({ zone: d.zone, lines: renderParentRecords(d, ttl) })),
  );
}

/**
 * Codes that make a delegated zone lame for the periodic re-check, whatever their level: the
 * pre-delegation gate follows Zonemaster's levels (one server of two not answering is only a
 * warning there), but a published zone with a server that does not answer, or answers without
 * authority, is broken for the people who use it, and opens a ticket.
 */
export const LAME_CODES: ReadonlySet<string> = new Set([
  'LAME',
  'NOT_AUTHORITATIVE',
  'UNREACHABLE_UDP',
  'UNREACHABLE_TCP',
  'NO_ADDRESS',
]);

/** Whether a check result makes a published zone lame (any error, or any LAME_CODES finding). */
export function isLame(result: {
  findings: readonly { level: string; code: string }[];
  blocking: boolean;
}): boolean {
  return result.blocking || result.findings.some((f) => LAME_CODES.has(f.code));
}

/** What a check run records when no checker is installed (tests, tools): it ran nothing. */
export const NO_CHECKER: readonly { level: 'notice'; code: string; message: string }[] = [
  { level: 'notice', code: 'CHECKER_NOT_AVAILABLE', message: 'checker not available' },
];
