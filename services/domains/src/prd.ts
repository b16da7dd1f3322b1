import { type Delegation, renderDelegation, renderZone } from '@guichet/dns';

/**
 * The operator's own `.prd.fr` zone (fr-domains.md §7): the apex (SOA, the operator's NS) and,
 * per active name under it, its delegation (NS, the glue of in-name servers, DS), rendered by
 * @guichet/dns's zone renderer — sorted, so the same names give the same text.
 */

export const PRD_ZONE = 'prd.fr';

export interface PrdHead {
  serial: number;
  mname: string;
  rname: string;
  nameservers: readonly string[];
}

export function renderPrdZone(
  head: PrdHead,
  delegations: readonly { name: string; nameservers: Delegation['nameservers']; ds: Delegation['ds'] }[],
): string {
  return renderZone(
    {
      zone: PRD_ZONE,
      serial: head.serial,
      mname: head.mname,
      rname: head.rname,
      nameservers: [...head.nameservers],
      ttl: 3600,
    },
    delegations.map((d) => ({
      zone: d.name,
      lines: renderDelegation({ zone: d.name, nameservers: d.nameservers, ds: d.ds }, 3600),
    })),
  );
}
