import { parsePrefix } from '@guichet/net';
import { type Violation, violation } from './codes.js';
import type { Limits, Need, PortFact } from './facts.js';

/**
 * The invariants that hold on the need alone, checked when the order is submitted (and again
 * at design, with the NOC's choices). Pure; returns every violation, first the structural ones.
 * `access` gives, per site, the ports it reaches the backbone through (directly or behind a
 * regional handoff); a site without one cannot be an endpoint.
 */
export function needViolations(need: Need, access: ReadonlyMap<string, readonly PortFact[]>, limits: Limits) {
  const out: Violation[] = [];
  const n = need.endpoints.length;
  if (need.topology === 'p2p' && n !== 2) {
    out.push(
      violation('circuits.p2p-two-endpoints', `a point-to-point circuit has exactly two endpoints, not ${n}`),
    );
  }
  if (need.topology === 'multipoint' && need.service === 'ethernet') {
    out.push(
      violation(
        'circuits.no-vpls',
        'multipoint Ethernet (VPLS) is not offered: ask for an IP interconnection of the sites (service IP, an L3VPN) instead',
      ),
    );
  }
  if (need.backup && need.topology !== 'p2p') {
    out.push(violation('circuits.backup-point-to-point', 'only a point-to-point circuit can have a backup'));
  }
  const offer = bandwidthViolations(need, limits);
  out.push(...offer);
  if (need.service === 'ip') out.push(...l3Violations(need, limits));
  // Beyond the offer no port can fit it: one refusal is enough.
  if (offer.length === 0) out.push(...accessViolations(need, access, limits));
  return out;
}

function bandwidthViolations(need: Need, limits: Limits): Violation[] {
  const bw = need.bandwidthMbps;
  if (bw > limits.dedicatedMaxMbps) {
    return [
      violation(
        'circuits.bandwidth-offer',
        `${bw} Mbit/s is beyond the offer: at most ${limits.dedicatedMaxMbps} Mbit/s on a dedicated lambda`,
      ),
    ];
  }
  if (bw > limits.sharedMaxMbps && (need.topology === 'multipoint' || need.service === 'ip')) {
    return [
      violation(
        'circuits.bandwidth-offer',
        `${bw} Mbit/s needs a dedicated lambda, which is point-to-point Ethernet: shared infrastructure (multipoint, L3VPN) carries at most ${limits.sharedMaxMbps} Mbit/s`,
      ),
    ];
  }
  return [];
}

function l3Violations(need: Need, limits: Limits): Violation[] {
  const out: Violation[] = [];
  if (need.ipv6)
    out.push(violation('circuits.ipv6-not-yet-supported', 'IPv6 in an L3VPN is not supported yet'));
  if (need.multicast) {
    out.push(violation('circuits.multicast-not-yet-supported', 'multicast in an L3VPN is not supported yet'));
  }
  need.endpoints.forEach((e, i) => {
    const v6 = (e.prefixes ?? []).filter((p) => parsePrefix(p, ['endpoints', i, 'prefixes']).family === 6);
    if (v6.length) {
      out.push(
        violation(
          'circuits.ipv6-not-yet-supported',
          `endpoint ${i + 1}: IPv6 prefixes (${v6.join(', ')}) are not supported yet`,
        ),
      );
    }
    out.push(...prefixLimitViolations(`endpoint ${i + 1}`, e.prefixLimit, (e.prefixes ?? []).length, limits));
  });
  return out;
}

export function prefixLimitViolations(
  who: string,
  limit: number | null | undefined,
  announced: number,
  limits: Limits,
): Violation[] {
  if (limit === undefined || limit === null) {
    return [violation('circuits.l3vpn-prefix-limit', `${who}: an L3VPN site needs a prefix limit`)];
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxPrefixLimit) {
    return [
      violation(
        'circuits.l3vpn-prefix-limit',
        `${who}: the prefix limit is between 1 and ${limits.maxPrefixLimit}, not ${limit}`,
      ),
    ];
  }
  if (announced > limit) {
    return [
      violation(
        'circuits.l3vpn-prefix-limit',
        `${who}: ${announced} prefixes announced, more than its limit of ${limit}`,
      ),
    ];
  }
  return [];
}

/** Each site reaches the backbone, with room for the bandwidth; above the shared offer, same speeds. */
function accessViolations(
  need: Need,
  access: ReadonlyMap<string, readonly PortFact[]>,
  limits: Limits,
): Violation[] {
  const out: Violation[] = [];
  const bw = need.bandwidthMbps;
  const dedicated = bw > limits.sharedMaxMbps;
  const speeds: Set<number>[] = [];
  need.endpoints.forEach((e, i) => {
    const ports = access.get(e.siteId) ?? [];
    if (ports.length === 0) {
      out.push(
        violation(
          'circuits.site-not-attached',
          `endpoint ${i + 1}: the site has no access to the backbone yet`,
        ),
      );
      return;
    }
    const fits = ports.filter((p) =>
      dedicated ? p.mode === 'dedicated' && !p.dedicatedInUse && p.speedMbps >= bw : remaining(p) >= bw,
    );
    if (fits.length === 0) {
      const best = Math.max(...ports.map((p) => (dedicated ? p.speedMbps : remaining(p))));
      out.push(
        violation(
          'circuits.bandwidth-capacity',
          dedicated
            ? `endpoint ${i + 1}: no free dedicated port of at least ${bw} Mbit/s at the site`
            : `endpoint ${i + 1}: ${bw} Mbit/s does not fit: at most ${best} Mbit/s left on the site's ports`,
        ),
      );
      return;
    }
    speeds.push(new Set(fits.map((p) => p.speedMbps)));
  });
  if (dedicated && speeds.length === need.endpoints.length && speeds.length > 1) {
    const common = [...(speeds[0] ?? [])].filter((s) => speeds.every((set) => set.has(s)));
    if (common.length === 0) {
      out.push(
        violation(
          'circuits.lambda-same-speed',
          'a lambda needs dedicated ports of the same speed at both ends, and the sites have none in common',
        ),
      );
    }
  }
  return out;
}

export function remaining(p: Pick<PortFact, 'capacityMbps' | 'reservedMbps'>): number {
  return p.capacityMbps - p.reservedMbps;
}
