import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from './actor.js';

/**
 * Configuration comes from the environment, is read once at start-up, and a bad value stops
 * the process with a message naming the variable — never a default silently replacing it.
 * README's configuration table mirrors this file.
 */

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** `noc=cn=noc,ou=groups,dc=x;admin=cn=admins,ou=groups,dc=x` → group DN per role. */
const roleGroups = z.string().transform((v, ctx) => {
  const out: Partial<Record<StaffRole, string>> = {};
  for (const part of v.split(';').map((s) => s.trim())) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim() as StaffRole;
    const dn = part.slice(eq + 1).trim();
    if (eq < 1 || !STAFF_ROLES.includes(role) || !dn) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}" is not role=groupDN with role one of ${STAFF_ROLES.join(', ')}`,
      });
      return z.NEVER;
    }
    out[role] = dn;
  }
  return out;
});

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** How long opening a connection to the server may take before the request gives up. */
    DATABASE_CONNECT_TIMEOUT_SECONDS: int(1, 120).default(5),
    /** The api's server-side statement timeout (0: none); a request never waits longer on one query. */
    DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
    DATA_DIR: z.string().min(1).default('./data'),
    DEMO: bool.optional(),
    JOBS_IN_PROCESS: bool.optional(),
    SESSION_TTL_HOURS: int(1, 24 * 30).default(12),
    BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
    GRAPHQL_MAX_DEPTH: int(2, 100).default(12),
    GRAPHQL_MAX_ALIASES: int(1, 1000).default(20),
    GRAPHQL_MAX_COST: int(10, 1_000_000).default(5000),
    GRAPHQL_MAX_TOKENS: int(10, 1_000_000).default(3000),
    LDAP_URL: z.url({ protocol: /^ldaps?$/ }).optional(),
    LDAP_USER_DN: z
      .string()
      .refine((v) => v.includes('{username}'), 'must contain {username}')
      .optional(),
    LDAP_GROUP_BASE: z.string().optional(),
    LDAP_ROLE_GROUPS: roleGroups.optional(),
    LDAP_TIMEOUT_MS: int(100, 60_000).default(3000),
    /** Outgoing mail relay for notifications (`smtp://host:port`, `smtps://…`); unset: mails are recorded, not sent. */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    MAIL_FROM: z.string().min(3).default('Guichet <guichet@localhost>'),
    /** Base URL people use to reach Guichet, for links in emails. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    FEDERATION_TRUSTED_PROXIES: list.default([]),
    FEDERATION_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/i)
      .transform((v) => v.toLowerCase())
      .default('eppn'),
    /** ipam: a policy approves standard prefix requests (one IPv6 /48 per site) without the NOC. */
    IPAM_AUTO_APPROVE: bool.default(true),
    /** routing: longest IPv4 prefix an institution may announce (IPv4 ≤ /24 by default). */
    ROUTING_MAX_V4: int(8, 32).default(24),
    /** routing: longest IPv6 prefix an institution may announce (IPv6 ≤ /48 by default). */
    ROUTING_MAX_V6: int(16, 128).default(48),
    /** RIPE Database REST API (`https://rest.db.ripe.net`); unset: registration is recorded as not configured. */
    RIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** `<keyId>:<secret>`, sent as HTTP Basic auth. */
    RIPE_API_KEY: z
      .string()
      .regex(/^[A-Za-z0-9]+:.+$/, 'must be <keyId>:<secret>')
      .optional(),
    RIPE_SOURCE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a source name such as RIPE or TEST')
      .transform((v) => v.toUpperCase())
      .default('RIPE'),
    /** Defaults for objects whose assignment has none: comma-separated handles. */
    RIPE_MNT_BY: list.optional(),
    RIPE_ADMIN_C: list.optional(),
    RIPE_TECH_C: list.optional(),
    RIPE_COUNTRY: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
      .transform((v) => v.toUpperCase())
      .default('FR'),
    /** Delay before the first retry of a failed RIPE write (doubling, 5 retries). */
    RIPE_RETRY_DELAY_SECONDS: int(1, 24 * 3600).default(60),
    /** rdns: when every published reverse delegation is checked again (five-field cron, UTC). */
    RDNS_RECHECK_CRON: z
      .string()
      .refine((v) => v.trim().split(/\s+/).length === 5, 'a five-field cron expression')
      .default('0 4 * * *'),
    /** rdns: how many zones the re-check checks at once. */
    RDNS_RECHECK_CONCURRENCY: int(1, 256).default(16),
    /** rdns: how long a lame zone's request waits between checks of its repair (14 checks). */
    RDNS_REPAIR_DELAY_SECONDS: int(1, 7 * 24 * 3600).default(24 * 3600),
    /** rdns: the operator's Knot (its knot.conf, for knotc) that serves the parent zones… */
    RDNS_KNOT_CONF: z.string().min(1).optional(),
    /** …and the directory it loads `<zone>.zone` from; unset: parent zones are stored, not pushed. */
    RDNS_ZONE_DIR: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.RDNS_KNOT_CONF) !== Boolean(c.RDNS_ZONE_DIR)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.RDNS_KNOT_CONF ? 'RDNS_ZONE_DIR' : 'RDNS_KNOT_CONF'],
        message: 'RDNS_KNOT_CONF and RDNS_ZONE_DIR go together',
      });
    }
    if (c.RIPE_API_URL && !c.RIPE_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['RIPE_API_URL'],
        message: 'RIPE_API_URL needs RIPE_API_KEY too',
      });
    }
    if (c.LDAP_URL && (!c.LDAP_USER_DN || !c.LDAP_GROUP_BASE || !c.LDAP_ROLE_GROUPS)) {
      ctx.addIssue({
        code: 'custom',
        path: ['LDAP_URL'],
        message: 'LDAP_URL needs LDAP_USER_DN, LDAP_GROUP_BASE and LDAP_ROLE_GROUPS too',
      });
    }
  })
  .transform((c) => ({
    ...c,
    /** Demo data is on by default only for the embedded engine: never on a real server. */
    DEMO: c.DEMO ?? !c.DATABASE_URL,
    /** Embedded mode runs the job worker in the api process; a server setup runs services/worker. */
    JOBS_IN_PROCESS: c.JOBS_IN_PROCESS ?? !c.DATABASE_URL,
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset": shells and compose files often export VAR= for nothing.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
