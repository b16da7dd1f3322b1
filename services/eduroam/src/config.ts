import { envBool, envInt, envList, runTool, type SecretBox } from '@guichet/core';
import { EDUROAM_POLICY_DEFAULT } from '@guichet/membership';
import { lineConfig, parseLineVars } from '@guichet/workflow';
import { z } from 'zod';
import { dnsClientRealmDns, type RealmDns } from './dns.js';
import { type Box, COUNTRY_BOUNDS } from './model.js';
import type { DeployTarget } from './radius/deploy.js';

/**
 * The eduroam line's variables (README, "eduroam"), parsed once at start, and the runtime built
 * from them: the DNS client realm proofs use, the national proxy's deployment
 * target and the probe settings. Nothing here is read from the environment later.
 */

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/, 'an address:port (IPv6 in brackets)')
  .transform((v) => {
    const i = v.lastIndexOf(':');
    return { address: v.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(v.slice(i + 1)) };
  });
const bounds = z.string().transform((v, ctx) => {
  const boxes = v.split(';').map((b) => b.split(',').map(Number));
  if (!boxes.every((b) => b.length === 4 && b.every(Number.isFinite))) {
    ctx.addIssue({ code: 'custom', message: 'minLon,minLat,maxLon,maxLat boxes separated by ";"' });
    return z.NEVER;
  }
  return boxes as unknown as Box[];
});

export const eduroamConfigSchema = lineConfig({
  EDUROAM_COUNTRY: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .transform((v) => v.toUpperCase())
    .default('FR'),
  EDUROAM_BOUNDS: bounds.optional(),
  EDUROAM_RO_ID: z.string().min(1).max(40).default('fr01'),
  EDUROAM_RO_NAME: z.string().min(1).default('RENATER'),
  EDUROAM_RO_CONTACT_NAME: z.string().min(1).default('eduroam NOC'),
  EDUROAM_RO_CONTACT_EMAIL: z.email().default('eduroam@noc.example'),
  EDUROAM_RO_CONTACT_PHONE: z.string().min(1).default('+33 1 00 00 00 00'),
  EDUROAM_RO_URL: z.url().default('https://www.eduroam.example/'),
  EDUROAM_RO_POLICY_URL: z.url().default('https://www.eduroam.example/policy'),
  /** Host names of the national proxy servers (the RO's `server` entries in ro.json). */
  EDUROAM_RO_SERVERS: envList.optional(),
  EDUROAM_POLICY_VERSION: z.string().min(1).max(200).default(EDUROAM_POLICY_DEFAULT),
  /** Where an institution publishes its realm proof: `<label>.<realm> TXT "guichet-eduroam=<token>"`. */
  EDUROAM_REALM_TXT_LABEL: z
    .string()
    .regex(/^_[a-z0-9-]{1,62}$/)
    .default('_eduroam-guichet'),
  /** Resolvers for realm proofs (address or address:port, comma-separated); unset: the system's. */
  EDUROAM_DNS_SERVERS: envList.optional(),
  /** The operator's FreeRADIUS template directory, and the link the proxy runs (`-d`). */
  EDUROAM_RADDB_TEMPLATE: z.string().min(1).optional(),
  EDUROAM_RADDB_DIR: z.string().min(1).optional(),
  /** Restarts the proxy after a swap (FreeRADIUS 3 reads clients and realms at start only). */
  EDUROAM_RELOAD_COMMAND: z.string().min(1).optional(),
  /** The proxy's auth listener, checked with Status-Server after a restart (rollback if silent)… */
  EDUROAM_PROXY_CHECK: hostPort.optional(),
  /** …with this secret, from EDUROAM_PROBE_SOURCE (Guichet's own client entry in clients.conf). */
  EDUROAM_MONITOR_SECRET: z.string().min(16).optional(),
  /** Source address of Status-Server probes (the proxy's, which institution servers accept). */
  EDUROAM_PROBE_SOURCE: z.string().min(2).optional(),
  EDUROAM_PROBE_INTERVAL_SECONDS: envInt(60, 3600).default(60),
  /** How often an outage request checks whether its server answers again (for a week). */
  EDUROAM_RECOVERY_CHECK_SECONDS: envInt(1, 3600).default(60),
  EDUROAM_PROBE_TIMEOUT_MS: envInt(100, 30_000).default(2000),
  EDUROAM_PROBE_ATTEMPTS: envInt(1, 5).default(3),
  EDUROAM_PROBE_CONCURRENCY: envInt(1, 4096).default(512),
  EDUROAM_PROBE_RETENTION_DAYS: envInt(1, 3650).default(30),
  /** How long a rotated secret's successor and predecessor are both valid. */
  EDUROAM_SECRET_OVERLAP_HOURS: envInt(1, 24 * 90).default(168),
  /** Private and loopback server addresses (demo and tests only). */
  EDUROAM_ALLOW_PRIVATE_SERVERS: envBool.default(false),
  /** The eduroam top-level servers (ETLR) foreign realms go to, and their secret. */
  EDUROAM_UPSTREAM: envList.optional(),
  EDUROAM_UPSTREAM_SECRET: z.string().min(16).optional(),
}).superRefine((c, ctx) => {
  if (Boolean(c.EDUROAM_RADDB_TEMPLATE) !== Boolean(c.EDUROAM_RADDB_DIR)) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDUROAM_RADDB_DIR'],
      message: 'EDUROAM_RADDB_TEMPLATE and EDUROAM_RADDB_DIR go together',
    });
  }
  if (c.EDUROAM_PROXY_CHECK && !c.EDUROAM_MONITOR_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDUROAM_PROXY_CHECK'],
      message: 'EDUROAM_PROXY_CHECK needs EDUROAM_MONITOR_SECRET',
    });
  }
  if (c.EDUROAM_UPSTREAM?.length && !c.EDUROAM_UPSTREAM_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDUROAM_UPSTREAM'],
      message: 'EDUROAM_UPSTREAM needs EDUROAM_UPSTREAM_SECRET',
    });
  }
  if (!c.EDUROAM_BOUNDS && !COUNTRY_BOUNDS[c.EDUROAM_COUNTRY]) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDUROAM_BOUNDS'],
      message: `no built-in bounds for ${c.EDUROAM_COUNTRY}: give EDUROAM_BOUNDS`,
    });
  }
});

export type EduroamConfig = z.output<typeof eduroamConfigSchema>;

/** Parses the line's variables (tests; the hosts parse every fragment together). */
export function parseEduroamConfig(vars: Record<string, string | undefined> = {}): EduroamConfig {
  return parseLineVars(eduroamConfigSchema, vars);
}

/** What eduroam's code reads at run time (`env.line('eduroam')`). */
export interface EduroamRuntime {
  config: EduroamConfig;
  /** The process's secret box: seals RADIUS secrets, digests fingerprints and realm tokens. */
  secrets: SecretBox;
  dns: RealmDns;
  bounds: readonly Box[];
  /** Where the proxy configuration goes (null: generated and checked, deployed nowhere). */
  deploy: DeployTarget | null;
  /** Restarts the proxy after a swap (the command, or a test's function). */
  reload: (() => Promise<void>) | null;
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    eduroam: EduroamRuntime;
  }
}

/** The runtime a host builds: the DNS client on the configured (or the system's) resolvers, the deployment target, the reload command. */
export function eduroamRuntime(config: EduroamConfig, secrets: SecretBox): EduroamRuntime {
  return {
    config,
    secrets,
    dns: dnsClientRealmDns(config.EDUROAM_DNS_SERVERS),
    bounds: config.EDUROAM_BOUNDS ?? COUNTRY_BOUNDS[config.EDUROAM_COUNTRY] ?? [],
    deploy:
      config.EDUROAM_RADDB_TEMPLATE && config.EDUROAM_RADDB_DIR
        ? { template: config.EDUROAM_RADDB_TEMPLATE, live: config.EDUROAM_RADDB_DIR }
        : null,
    reload: commandReload(config.EDUROAM_RELOAD_COMMAND),
  };
}

function commandReload(command: string | undefined): (() => Promise<void>) | null {
  if (!command) return null;
  const [cmd, ...args] = command.split(/\s+/).filter(Boolean);
  return async () => {
    const r = await runTool(cmd as string, args, { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new Error(`${command} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  };
}
