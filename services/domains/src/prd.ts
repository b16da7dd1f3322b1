import type { DsJson, NameServerJson } from './tables.js';

/**
 * The operator's own `.prd.fr` zone (fr-domains.md §7), rendered from the active names under it:
 * the apex (SOA, the operator's NS), then per name its NS, the glue of in-name servers and its
 * DS. Pure and sorted, so the same names give the same text; named-checkzone validates it.
 */

export const PRD_ZONE = 'prd.fr';

export interface PrdHead {
  serial: number;
  mname: string;
  rname: string;
  nameservers: readonly string[];
  /** Glue of the operator's own servers when they sit under prd.fr. */
  glue?: Readonly<Record<string, readonly string[]>>;
}

export interface PrdDelegation {
  name: string;
  nameservers: readonly NameServerJson[];
  ds: readonly DsJson[];
}

const fq = (n: string) => `${n.replace(/\.$/, '')}.`;
const rr = (owner: string, type: string, data: string) => `${owner}\t3600\tIN\t${type}\t${data}`;

export function renderPrdZone(head: PrdHead, delegations: readonly PrdDelegation[]): string {
  const lines = [
    `$ORIGIN ${PRD_ZONE}.`,
    '$TTL 3600',
    rr('@', 'SOA', `${fq(head.mname)} ${fq(head.rname)} ${head.serial} 14400 3600 1209600 3600`),
    ...head.nameservers.map((n) => rr('@', 'NS', fq(n))),
  ];
  for (const [host, addrs] of Object.entries(head.glue ?? {}).sort()) {
    for (const a of addrs) lines.push(rr(fq(host), a.includes(':') ? 'AAAA' : 'A', a));
  }
  for (const d of [...delegations].sort((a, b) => a.name.localeCompare(b.name))) {
    const owner = fq(d.name);
    for (const ns of [...d.nameservers].sort((a, b) => a.name.localeCompare(b.name))) lines.push(rr(owner, 'NS', fq(ns.name)));
    for (const ns of d.nameservers) {
      for (const a of ns.addresses) lines.push(rr(fq(ns.name), a.includes(':') ? 'AAAA' : 'A', a));
    }
    for (const ds of d.ds) lines.push(rr(owner, 'DS', `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest}`));
  }
  return `${lines.join('\n')}\n`;
}
