import { join } from 'node:path';
import type { Config } from '@guichet/core';
import { type CheckOptions, checkDelegation, blocks as hasErrors } from './check/index.js';
import type { DsRecord, NameServer } from './model.js';
import { publishToKnot } from './publish.js';
import type { FindingJson } from './tables.js';

/**
 * What the rdns line talks to, installed once per process by the host (api, worker) — job and
 * step contexts carry no configuration (the same arrangement as configureIpam/configureRouting).
 */

/** A pre-delegation checker: findings and whether they block. */
export type Checker = (d: {
  zone: string;
  nameservers: NameServer[];
  ds: DsRecord[];
}) => Promise<{ findings: FindingJson[]; blocking: boolean }>;

/** Puts a parent zone text (validated by named-checkzone) on the operator's authoritative server. */
export type Publisher = (zone: string, text: string) => Promise<void>;

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
export function isLame(result: { findings: readonly FindingJson[]; blocking: boolean }): boolean {
  return result.blocking || result.findings.some((f) => LAME_CODES.has(f.code));
}

/** What a check run records when no checker is installed (tests, tools): it ran nothing. */
export const NO_CHECKER: readonly FindingJson[] = [
  { level: 'notice', code: 'CHECKER_NOT_AVAILABLE', message: 'checker not available' },
];

let checker: Checker | null = null;
let publisher: Publisher | null = null;

/**
 * Installs the checker and the publisher. Without a checker the `check` step records that none
 * ran; without a publisher parent zones are rendered, validated and stored but pushed nowhere.
 */
export function configureRdns(opts: { checker?: Checker | null; publisher?: Publisher | null }): void {
  checker = opts.checker ?? null;
  publisher = opts.publisher ?? null;
}

export function currentChecker(): Checker | null {
  return checker;
}

export function currentPublisher(): Publisher | null {
  return publisher;
}

/**
 * The real checker (./check) as a Checker: glue addresses are queried on `port` (53 in
 * production; tests run name servers on free ports), out-of-zone names through `resolve`
 * (the system resolver by default).
 */
export function makeChecker(opts: CheckOptions & { port?: number } = {}): Checker {
  const port = opts.port ?? 53;
  return async (d) => {
    const findings = await checkDelegation(
      {
        zone: d.zone,
        nameservers: d.nameservers.map((n) => ({
          name: n.name,
          addresses: n.addresses.map((address) => ({ address, port })),
        })),
        ds: d.ds,
      },
      opts,
    );
    return { findings: findings.map((f) => ({ ...f })), blocking: hasErrors(findings) };
  };
}

/**
 * Publishes into a Knot that loads `<zoneDir>/<zone>.zone` and is controlled through `conf`
 * (its control socket): file swapped atomically, then `knotc zone-reload` (see publish.ts).
 */
export function knotPublisher(opts: { conf: string; zoneDir: string; knotc?: string }): Publisher {
  return (zone, text) =>
    publishToKnot(
      {
        zoneFile: join(opts.zoneDir, `${zone}.zone`),
        conf: opts.conf,
        ...(opts.knotc ? { knotc: opts.knotc } : {}),
      },
      zone,
      text,
    );
}

/**
 * What a host (api, worker) installs at start: the real checker on port 53 with the system
 * resolver, and the Knot publisher when RDNS_KNOT_CONF/RDNS_ZONE_DIR name the operator's server.
 */
export function configureRdnsFromConfig(config: Config): void {
  configureRdns({
    checker: makeChecker(),
    publisher:
      config.RDNS_KNOT_CONF && config.RDNS_ZONE_DIR
        ? knotPublisher({ conf: config.RDNS_KNOT_CONF, zoneDir: config.RDNS_ZONE_DIR })
        : null,
  });
}
