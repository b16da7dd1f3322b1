import type { DsRecord, NameServer } from '../zone/render.js';
import { blocks, type CheckOptions, checkDelegation } from './checker.js';

/** One finding as stored and shown (plain data, JSON-safe). */
export interface GateFinding {
  level: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
  /** The server it concerns (`name/address@port`), when it concerns one. */
  server?: string;
  /** JSON-safe: stored as it is (jsonb). */
  [k: string]: unknown;
}

/**
 * The name-server gate both rdns and domains put before a delegation: the checker's findings
 * and whether they block (any error).
 */
export type DelegationGate = (d: {
  zone: string;
  nameservers: readonly NameServer[];
  ds: readonly DsRecord[];
}) => Promise<{ findings: GateFinding[]; blocking: boolean }>;

/**
 * The real gate: glue addresses are queried on `port` (53 in production; tests run name servers
 * on free ports), out-of-zone names through `resolve` (the system resolver by default).
 */
export function makeDelegationGate(opts: CheckOptions & { port?: number } = {}): DelegationGate {
  const port = opts.port ?? 53;
  return async (d) => {
    const findings = await checkDelegation(
      {
        zone: d.zone,
        nameservers: d.nameservers.map((n) => ({
          name: n.name,
          addresses: n.addresses.map((address) => ({ address, port })),
        })),
        ds: [...d.ds],
      },
      opts,
    );
    return {
      // The server stays: two servers' findings must never read alike (rdns names it in the reason).
      findings: findings.map((f) => ({
        level: f.level,
        code: f.code,
        message: f.message,
        ...(f.server ? { server: f.server } : {}),
      })),
      blocking: blocks(findings),
    };
  };
}
