import { envBool, envInt, envList, runTool, type SecretBox } from '@guichet/core';
import { lineConfig, parseLineVars } from '@guichet/workflow';
import { z } from 'zod';
import { dnsClientMxDns, dnsClientProofDns, type MxDns, type ProofDns } from './dns.js';

/**
 * The antispam line's variables (README, "Configuration"), parsed once at start, and the runtime
 * built from them: the DNS client domain proofs use, where the gateway's Postfix maps are
 * published and how Postfix is told. Nothing here is read from the environment later.
 */
export const antispamConfigSchema = lineConfig({
  /**
   * Where the generated Postfix maps live: each publication is a release directory under it and
   * `current` is a symbolic link swapped atomically. Unset: rendered and checked, deployed nowhere.
   */
  ANTISPAM_POSTFIX_DIR: z.string().min(1).optional(),
  /** Run after a swap (e.g. `postfix reload`); unset: nothing (texthash/ldap maps are read per process). */
  ANTISPAM_RELOAD_COMMAND: z.string().min(1).optional(),
  /** Where an institution publishes its domain proof: `<label>.<domain> TXT "guichet-antispam=<token>"`. */
  ANTISPAM_TXT_LABEL: z
    .string()
    .regex(/^_[a-z0-9-]{1,62}$/)
    .default('_guichet-antispam'),
  /** Resolvers for domain proofs (address or address:port, comma-separated); unset: the system's. */
  ANTISPAM_DNS_SERVERS: envList.optional(),
  /** Upper bound of one self-test run (LDAP and SMTP checks together), seconds. */
  ANTISPAM_SELFTEST_TIMEOUT_SECONDS: envInt(5, 60).default(60),
  /** Loopback and private directory and next-hop addresses (demo and tests only). */
  ANTISPAM_ALLOW_PRIVATE_HOSTS: envBool.default(false),
  /**
   * Where the generated Rspamd settings and lists live (releases and the `current` link the
   * gateway's local.d includes). Unset: rendered and checked by rspamadm, deployed nowhere.
   */
  ANTISPAM_RSPAMD_DIR: z.string().min(1).optional(),
  /** Run after an Rspamd swap (e.g. `systemctl reload rspamd`, which sends SIGHUP). */
  ANTISPAM_RSPAMD_RELOAD_COMMAND: z.string().min(1).optional(),
  /** The rspamd normal worker (host:port) reported messages are scanned with (symbols, score). */
  ANTISPAM_RSPAMD_SCANNER: z.string().min(1).default('127.0.0.1:11333'),
  /** The rspamd controller (host:port) that learns confirmed reports (`rspamc learn_ham|learn_spam`). */
  ANTISPAM_RSPAMD_CONTROLLER: z.string().min(1).default('127.0.0.1:11334'),
  /** Largest .eml a contact may report, bytes (the default fits the default BODY_LIMIT_BYTES of 1 MiB). */
  ANTISPAM_REPORT_MAX_BYTES: envInt(1024, 25 * 1024 * 1024).default(768 * 1024),
  /** The gateway's MX host names: a domain is cut over when every one of its MX is one of them. */
  ANTISPAM_MX_HOSTS: envList.default([]),
  /** Port the domains' authoritative servers are asked on (53; tests point it at a loopback Knot). */
  ANTISPAM_DNS_AUTH_PORT: envInt(1, 65535).default(53),
});

export type AntispamConfig = z.output<typeof antispamConfigSchema>;

/** Parses the line's variables (tests; the hosts parse every fragment together). */
export function parseAntispamConfig(vars: Record<string, string | undefined> = {}): AntispamConfig {
  return parseLineVars(antispamConfigSchema, vars);
}

/** What antispam's code reads at run time (`env.line('antispam')`). */
export interface AntispamRuntime {
  config: AntispamConfig;
  /** Seals bind passwords, derives domain proof tokens. */
  secrets: SecretBox;
  dns: ProofDns;
  /** The cut-over poll's view of a domain's MX, from its authoritative servers. */
  mxDns: MxDns;
  /** Tells the gateway's Postfix about a new release (the command, or a test's function). */
  reload: (() => Promise<void>) | null;
  /** Tells the gateway's rspamd about a new release of its settings. */
  reloadRspamd: (() => Promise<void>) | null;
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    antispam: AntispamRuntime;
  }
}

export function antispamRuntime(config: AntispamConfig, secrets: SecretBox): AntispamRuntime {
  return {
    config,
    secrets,
    dns: dnsClientProofDns(config.ANTISPAM_DNS_SERVERS),
    mxDns: dnsClientMxDns(config.ANTISPAM_DNS_SERVERS, config.ANTISPAM_DNS_AUTH_PORT),
    reload: commandReload(config.ANTISPAM_RELOAD_COMMAND),
    reloadRspamd: commandReload(config.ANTISPAM_RSPAMD_RELOAD_COMMAND),
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
