import { PolicyRefusalError, ValidationError } from '@guichet/core';
import {
  bogonOverlapping,
  contains,
  type Family,
  formatPrefix,
  overlaps,
  parsePrefix,
  prefixRange,
} from '@guichet/net';

/**
 * Routing policy, pure. What an institution may announce (checked in this order, per prefix):
 * a valid prefix, not longer than the limit of its family (`ROUTING_MAX_V4`/`_V6`), no bogon
 * (@guichet/net's list, the one the generator renders, so a prefix Guichet accepts is never one
 * the collector filter drops, nor one ipam would put in a pool), not announced for another
 * institution, and held by the institution: inside one of its active ipam assignments, or
 * outside the operator's space altogether (provider-independent: accepted once by the NOC on
 * evidence). Then the session's import limit. Refusals name the rule (`PolicyRefusalError.rule`)
 * and the prefix with its place in the input (`input.prefixes.<i>`).
 */

export interface RoutingLimits {
  maxV4: number;
  maxV6: number;
}

export const DEFAULT_LIMITS: RoutingLimits = { maxV4: 24, maxV6: 48 };

/** What the database knows about the prefixes asked for, gathered by the service. */
export interface PrefixFacts {
  /** Active ipam assignments of the institution. */
  own: readonly { id: string; prefix: string }[];
  /** The operator's space (ipam root pools): a prefix in it is PA, never PI. */
  operatorSpace: readonly string[];
  /** Active (or reserved) assignments of other institutions overlapping the prefixes asked for. */
  othersAssigned: readonly { prefix: string; institution: string }[];
  /** Announcements of other institutions overlapping the prefixes asked for. */
  othersAnnounced: readonly { prefix: string; institution: string }[];
  /** PI prefixes of the institution the NOC has accepted (current announcements). */
  acceptedPi: readonly { prefix: string; evidence: string | null; acceptedBy: string; acceptedAt: Date }[];
}

export type PlannedAnnouncement =
  | { prefix: string; family: Family; source: 'ipam'; assignmentId: string }
  | {
      prefix: string;
      family: Family;
      source: 'pi';
      evidence: string | null;
      /** Set when the NOC accepted this PI prefix in an earlier request. */
      accepted: { by: string; at: Date } | null;
    };

const at = (i: number) => ['input', 'prefixes', i];

/** Canonical prefixes, in input order; ValidationError at `input.prefixes.<i>` for a bad one. */
export function parsePrefixes(list: readonly string[]): { prefix: string; family: Family; index: number }[] {
  const seen = new Map<string, number>();
  return list.map((text, index) => {
    const p = parsePrefix(text, at(index));
    const prefix = formatPrefix(p);
    const before = seen.get(prefix);
    if (before !== undefined) {
      throw ValidationError.field(at(index), `${prefix} is listed twice (also at input.prefixes.${before})`);
    }
    seen.set(prefix, index);
    return { prefix, family: p.family, index };
  });
}

/** Length limit: no longer than /maxV4 (IPv4) or /maxV6 (IPv6). */
export function checkLength(prefix: string, family: Family, index: number, limits: RoutingLimits): void {
  const len = Number(prefix.split('/')[1]);
  const max = family === 4 ? limits.maxV4 : limits.maxV6;
  if (len > max) {
    throw new PolicyRefusalError(
      'prefix-too-long',
      `input.prefixes.${index}: ${prefix} is longer than /${max}, the longest IPv${family} prefix the backbone accepts (ROUTING_MAX_V${family})`,
    );
  }
}

export function checkBogon(prefix: string, index: number): void {
  const b = bogonOverlapping(prefixRange(prefix));
  if (b) {
    throw new PolicyRefusalError(
      'bogon',
      `input.prefixes.${index}: ${prefix} overlaps ${b.prefix}, ${b.why}: never announced`,
    );
  }
}

/**
 * Every rule but the import limit, for the full list an institution asks to announce. Returns
 * what to write; throws the first refusal.
 */
export function planAnnouncements(
  list: readonly string[],
  facts: PrefixFacts,
  limits: RoutingLimits,
  evidence: ReadonlyMap<string, string> = new Map(),
): PlannedAnnouncement[] {
  const parsed = parsePrefixes(list);
  return parsed.map(({ prefix, family, index }) => {
    checkLength(prefix, family, index, limits);
    checkBogon(prefix, index);
    const elsewhere = facts.othersAnnounced.find((o) => overlaps(o.prefix, prefix));
    if (elsewhere) {
      throw new PolicyRefusalError(
        'announced-elsewhere',
        `input.prefixes.${index}: ${prefix} overlaps ${elsewhere.prefix}, announced for ${elsewhere.institution}`,
      );
    }
    const own = facts.own.find((a) => contains(a.prefix, prefix));
    if (own) return { prefix, family, source: 'ipam', assignmentId: own.id };
    const other = facts.othersAssigned.find((o) => overlaps(o.prefix, prefix));
    if (other) {
      throw new PolicyRefusalError(
        'not-yours',
        `input.prefixes.${index}: ${prefix} overlaps ${other.prefix}, assigned to ${other.institution}`,
      );
    }
    if (facts.operatorSpace.some((s) => overlaps(s, prefix))) {
      throw new PolicyRefusalError(
        'not-yours',
        `input.prefixes.${index}: ${prefix} is the operator's address space but no active assignment of this institution contains it`,
      );
    }
    const pi = facts.acceptedPi.find((p) => contains(p.prefix, prefix));
    return {
      prefix,
      family,
      source: 'pi',
      evidence: evidence.get(prefix) ?? pi?.evidence ?? null,
      accepted: pi ? { by: pi.acceptedBy, at: pi.acceptedAt } : null,
    };
  });
}

/** The prefixes still waiting for the NOC: provider-independent, never accepted. */
export function pendingPi(plan: readonly PlannedAnnouncement[]): string[] {
  return plan.filter((p) => p.source === 'pi' && !p.accepted).map((p) => p.prefix);
}

/** The session's import limit after the change: every institution's prefixes on it. */
export function checkImportLimit(session: { name: string; importLimit: number }, countAfter: number): void {
  if (countAfter > session.importLimit) {
    throw new PolicyRefusalError(
      'import-limit',
      `input.prefixes: session ${session.name} would carry ${countAfter} prefixes, over its import limit of ${session.importLimit}`,
    );
  }
}
