import { readFileSync } from 'node:fs';
import { envInt, envList, type Logger } from '@guichet/core';
import { blocks, checkDelegation } from '@guichet/dns';
import { type LineHost, lineConfig } from '@guichet/workflow';
import { z } from 'zod';
import { Registry } from './epp/registry.js';
import { EppSession } from './epp/session.js';
import { type PrdPublisher, prdPublisher } from './knot/prd.js';

/** The domains line's variables (README's configuration table lists them). */
export const domainsConfigSchema = lineConfig({
  /** AFNIC's EPP server (`epp.nic.fr`, sandbox `epp.sandbox.nic.fr`); unset: no registry here. */
  DOMAINS_EPP_HOST: z.string().min(1).optional(),
  DOMAINS_EPP_PORT: envInt(1, 65535).default(700),
  /** The registrar's EPP login (clID) and password: configuration only, never stored, never logged. */
  DOMAINS_EPP_CLIENT_ID: z.string().min(3).max(16).optional(),
  DOMAINS_EPP_PASSWORD: z.string().min(6).max(16).optional(),
  /** PEM files: the CA the server's certificate chains to, the registrar's client certificate and key. */
  DOMAINS_EPP_CA_FILE: z.string().min(1).optional(),
  DOMAINS_EPP_CERT_FILE: z.string().min(1).optional(),
  DOMAINS_EPP_KEY_FILE: z.string().min(1).optional(),
  /** Idle time after which the session sends `<hello>` (0: never). */
  DOMAINS_EPP_HELLO_SECONDS: envInt(0, 3600).default(300),
  /** When the registry's poll queue is drained (five-field cron, UTC). */
  DOMAINS_POLL_CRON: z
    .string()
    .refine((v) => v.trim().split(/\s+/).length === 5, 'a five-field cron expression')
    .default('*/5 * * * *'),
  /** The operator's Knot serving `.prd.fr`: its knot.conf (for knotc) and the directory of `prd.fr.zone`. */
  DOMAINS_PRD_KNOT_CONF: z.string().min(1).optional(),
  DOMAINS_PRD_ZONE_DIR: z.string().min(1).optional(),
  /** Where that server answers (`address` or `address:port`), for verifying a publication. */
  DOMAINS_PRD_SERVER: z.string().min(1).default('127.0.0.1:53'),
  /** SOA MNAME and RNAME of `.prd.fr`, and its name servers (comma-separated). */
  DOMAINS_PRD_MNAME: z.string().min(1).default('ns.prd.fr'),
  DOMAINS_PRD_RNAME: z.string().min(1).default('hostmaster.prd.fr'),
  DOMAINS_PRD_NAMESERVERS: envList.default(['ns.prd.fr']),
}).superRefine((c, ctx) => {
  if (c.DOMAINS_EPP_HOST && !(c.DOMAINS_EPP_CLIENT_ID && c.DOMAINS_EPP_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['DOMAINS_EPP_CLIENT_ID'],
      message: 'DOMAINS_EPP_CLIENT_ID and DOMAINS_EPP_PASSWORD go with DOMAINS_EPP_HOST',
    });
  }
  if (Boolean(c.DOMAINS_PRD_KNOT_CONF) !== Boolean(c.DOMAINS_PRD_ZONE_DIR)) {
    ctx.addIssue({
      code: 'custom',
      path: ['DOMAINS_PRD_ZONE_DIR'],
      message: 'DOMAINS_PRD_KNOT_CONF and DOMAINS_PRD_ZONE_DIR go together',
    });
  }
});
export type DomainsConfig = z.output<typeof domainsConfigSchema>;

export interface GateFinding {
  level: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
}

/** The pre-delegation check of a name's servers (the same gate as reverse zones, @guichet/dns). */
export type DnsGate = (d: {
  zone: string;
  nameservers: { name: string; addresses: string[] }[];
  ds: { keyTag: number; algorithm: number; digestType: number; digest: string }[];
}) => Promise<{ findings: GateFinding[]; blocking: boolean }>;

export type { PrdPublisher };

/** What the domains line's code reads at run time (`env.line('domains')`). */
export interface DomainsRuntime {
  config: DomainsConfig;
  /** The registry over one EPP session; null when DOMAINS_EPP_HOST is unset. */
  registry: Registry | null;
  /** Null: the DNS check records that none ran (tools, some tests). */
  gate: DnsGate | null;
  /** Null: .prd.fr names are recorded, pushed nowhere. */
  prd: PrdPublisher | null;
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    domains: DomainsRuntime;
  }
}

/** The real gate (@guichet/dns's checker): glue on `port`, other names through `resolve`. */
export function makeGate(opts: Parameters<typeof checkDelegation>[1] & { port?: number } = {}): DnsGate {
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
    return {
      findings: findings.map((f) => ({ level: f.level, code: f.code, message: f.message })),
      blocking: blocks(findings),
    };
  };
}

export function makeRegistry(config: DomainsConfig, logger?: Logger): Registry | null {
  if (!config.DOMAINS_EPP_HOST || !config.DOMAINS_EPP_CLIENT_ID || !config.DOMAINS_EPP_PASSWORD) return null;
  const file = (f?: string) => (f ? readFileSync(f, 'utf8') : undefined);
  const ca = file(config.DOMAINS_EPP_CA_FILE);
  const cert = file(config.DOMAINS_EPP_CERT_FILE);
  const key = file(config.DOMAINS_EPP_KEY_FILE);
  const session = new EppSession(
    {
      host: config.DOMAINS_EPP_HOST,
      port: config.DOMAINS_EPP_PORT,
      clID: config.DOMAINS_EPP_CLIENT_ID,
      password: config.DOMAINS_EPP_PASSWORD,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    },
    { helloIntervalMs: config.DOMAINS_EPP_HELLO_SECONDS * 1000, ...(logger ? { logger } : {}) },
  );
  return new Registry(session, config.DOMAINS_EPP_CLIENT_ID);
}

/** The runtime a host builds from the variables (tests adjust it through createEnv's `runtimes`). */
export function domainsRuntime(config: DomainsConfig, host?: Pick<LineHost, 'logger'>): DomainsRuntime {
  return {
    config,
    registry: makeRegistry(config, host?.logger),
    gate: makeGate(),
    prd: config.DOMAINS_PRD_KNOT_CONF && config.DOMAINS_PRD_ZONE_DIR ? prdPublisher(config) : null,
  };
}
