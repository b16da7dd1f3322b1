import { envInt } from '@guichet/core';
import {
  type CheckOptions,
  checkDelegation,
  blocks as hasErrors,
  knotPublisher,
  type Publisher,
} from '@guichet/dns';
import { lineConfig } from '@guichet/workflow';
import { z } from 'zod';
import type { DsRecord, NameServer } from './model.js';
import type { FindingJson } from './tables.js';

/** The rdns line's variables (README's configuration table lists them). */
export const rdnsConfigSchema = lineConfig({
  /** When every published reverse delegation is checked again (five-field cron, UTC). */
  RDNS_RECHECK_CRON: z
    .string()
    .refine((v) => v.trim().split(/\s+/).length === 5, 'a five-field cron expression')
    .default('0 4 * * *'),
  /** How many zones the re-check checks at once. */
  RDNS_RECHECK_CONCURRENCY: envInt(1, 256).default(16),
  /** How long a lame zone's request waits between checks of its repair (14 checks). */
  RDNS_REPAIR_DELAY_SECONDS: envInt(1, 7 * 24 * 3600).default(24 * 3600),
  /** The operator's Knot (its knot.conf, for knotc) that serves the parent zones… */
  RDNS_KNOT_CONF: z.string().min(1).optional(),
  /** …and the directory it loads `<zone>.zone` from; unset: parent zones are stored, not pushed. */
  RDNS_ZONE_DIR: z.string().min(1).optional(),
}).superRefine((c, ctx) => {
  if (Boolean(c.RDNS_KNOT_CONF) !== Boolean(c.RDNS_ZONE_DIR)) {
    ctx.addIssue({
      code: 'custom',
      path: [c.RDNS_KNOT_CONF ? 'RDNS_ZONE_DIR' : 'RDNS_KNOT_CONF'],
      message: 'RDNS_KNOT_CONF and RDNS_ZONE_DIR go together',
    });
  }
});

export type RdnsConfig = z.output<typeof rdnsConfigSchema>;

/** A pre-delegation checker: findings and whether they block. */
export type Checker = (d: {
  zone: string;
  nameservers: NameServer[];
  ds: DsRecord[];
}) => Promise<{ findings: FindingJson[]; blocking: boolean }>;

export type { Publisher };

/** What rdns's code reads at run time (`env.line('rdns')`). */
export interface RdnsRuntime {
  config: RdnsConfig;
  /** Null: the `check` step records that no check ran (tools, some tests). */
  checker: Checker | null;
  /** Null: parent zones are rendered, validated and stored but pushed nowhere. */
  publisher: Publisher | null;
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    rdns: RdnsRuntime;
  }
}

/**
 * The real checker (@guichet/dns) as a Checker: glue addresses are queried on `port` (53 in
 * production; tests run name servers on free ports), out-of-zone names through `resolve` (the
 * system resolver by default).
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
 * The runtime a host builds from the variables: the real checker on port 53 with the system
 * resolver, and the Knot publisher when RDNS_KNOT_CONF/RDNS_ZONE_DIR name the operator's server.
 * Tests pass their own checker and publisher through `rdnsRuntime(config, overrides)`.
 */
export function rdnsRuntime(
  config: RdnsConfig,
  overrides: { checker?: Checker | null; publisher?: Publisher | null } = {},
): RdnsRuntime {
  return {
    config,
    checker: overrides.checker !== undefined ? overrides.checker : makeChecker(),
    publisher:
      overrides.publisher !== undefined
        ? overrides.publisher
        : config.RDNS_KNOT_CONF && config.RDNS_ZONE_DIR
          ? knotPublisher({ conf: config.RDNS_KNOT_CONF, zoneDir: config.RDNS_ZONE_DIR })
          : null,
  };
}
