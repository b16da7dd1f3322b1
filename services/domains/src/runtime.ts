import type { Registry } from './epp/registry.js';

/**
 * What the domains line talks to: the registry (one EPP session), the DNS gate and the
 * publication of `.prd.fr`. Until the line contract's env reaches steps and jobs
 * (`env.line('domains')`), the host installs these once per process.
 */

export interface GateFinding {
  level: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
}

/** The pre-delegation check of a name's servers (the same gate as reverse zones). */
export type DnsGate = (d: {
  zone: string;
  nameservers: { name: string; addresses: string[] }[];
  ds: { keyTag: number; algorithm: number; digestType: number; digest: string }[];
}) => Promise<{ findings: GateFinding[]; blocking: boolean }>;

/** Publishes the delegations of `.prd.fr` names and proves the server answers them. */
export interface PrdPublisher {
  publish(): Promise<{ serial: number }>;
  verify(name: string, serial: number): Promise<void>;
}

export interface DomainsRuntime {
  registry: Registry | null;
  gate: DnsGate | null;
  prd: PrdPublisher | null;
  /** Seals secrets at rest (a domain's authInfo), bound to a context (the object's id). */
  secrets: { seal(plain: string, context: string): string; open(sealed: string, context: string): string } | null;
}

let current: DomainsRuntime = { registry: null, gate: null, prd: null, secrets: null };

export function configureDomains(r: Partial<DomainsRuntime>): void {
  current = { registry: null, gate: null, prd: null, secrets: null, ...r };
}

export function domainsRuntime(): DomainsRuntime {
  return current;
}
