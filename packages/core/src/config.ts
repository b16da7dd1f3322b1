import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from './actor.js';

/**
 * Configuration comes from the environment, is read once at start-up, and a bad value stops
 * the process with a message naming the variable — never a default silently replacing it.
 * README's configuration table mirrors this file.
 */

/** A yes/no variable: 1/0, true/false, yes/no, on/off. */
export const envBool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A comma-separated list; blanks dropped. */
export const envList = z.string().transform((v) =>
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

/** A whole number within bounds. */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: envInt(0, 65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** How long opening a connection to the server may take before the request gives up. */
    DATABASE_CONNECT_TIMEOUT_SECONDS: envInt(1, 120).default(5),
    /** The api's server-side statement timeout (0: none); a request never waits longer on one query. */
    DATABASE_STATEMENT_TIMEOUT_MS: envInt(0, 3_600_000).default(30_000),
    DATA_DIR: z.string().min(1).default('./data'),
    DEMO: envBool.optional(),
    JOBS_IN_PROCESS: envBool.optional(),
    /** Test and demo only: every cron job runs on this schedule instead of its own (`* * * * *`). */
    JOBS_CRON_OVERRIDE: z
      .string()
      .refine((v) => v.trim().split(/\s+/).length === 5, 'a five-field cron expression')
      .optional(),
    SESSION_TTL_HOURS: envInt(1, 24 * 30).default(12),
    /** How long a mutation's answer is kept under its `Idempotency-Key` (a repeat within it is a replay). */
    IDEMPOTENCY_TTL_HOURS: envInt(1, 24 * 30).default(24),
    BODY_LIMIT_BYTES: envInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
    RATE_LIMIT_PER_MINUTE: envInt(1, 1_000_000).default(600),
    GRAPHQL_MAX_DEPTH: envInt(2, 100).default(12),
    GRAPHQL_MAX_ALIASES: envInt(1, 1000).default(20),
    GRAPHQL_MAX_COST: envInt(10, 1_000_000).default(5000),
    GRAPHQL_MAX_TOKENS: envInt(10, 1_000_000).default(3000),
    LDAP_URL: z.url({ protocol: /^ldaps?$/ }).optional(),
    LDAP_USER_DN: z
      .string()
      .refine((v) => v.includes('{username}'), 'must contain {username}')
      .optional(),
    LDAP_GROUP_BASE: z.string().optional(),
    LDAP_ROLE_GROUPS: roleGroups.optional(),
    LDAP_TIMEOUT_MS: envInt(100, 60_000).default(3000),
    /** Outgoing mail relay for notifications (`smtp://host:port`, `smtps://…`); unset: mails are recorded, not sent. */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    MAIL_FROM: z.string().min(3).default('Guichet <guichet@localhost>'),
    /** Base URL people use to reach Guichet, for links in emails. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    FEDERATION_TRUSTED_PROXIES: envList.default([]),
    FEDERATION_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/i)
      .transform((v) => v.toLowerCase())
      .default('eppn'),
    /**
     * Secrets at rest (RADIUS, LDAP bind passwords, registry credentials): 32 bytes in base64.
     * Unset: a key file in DATA_DIR is made once and used (every process must share it).
     */
    SECRETS_KEY: z
      .string()
      .refine(
        (v) => Buffer.from(v, 'base64').length === 32,
        'must be 32 bytes in base64 (openssl rand -base64 32)',
      )
      .optional(),
  })
  .superRefine((c, ctx) => {
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

/** An empty variable means "unset": shells and compose files often export VAR= for nothing. */
function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
}

function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(cleanEnv(env));
  if (!parsed.success)
    throw new ConfigError(`Invalid configuration:\n${issueLines(parsed.error).join('\n')}`);
  return parsed.data;
}

/**
 * The platform's configuration and every fragment (each service line's own variables), read
 * from one environment at once: a bad variable anywhere is named, all of them in one message.
 */
export function loadConfigs<F extends Record<string, z.ZodType>>(
  env: Record<string, string | undefined>,
  fragments: F,
): { core: Config; fragments: { [K in keyof F]: z.output<F[K]> } } {
  const vars = cleanEnv(env);
  const problems: string[] = [];
  const core = configSchema.safeParse(vars);
  if (!core.success) problems.push(...issueLines(core.error));
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fragments)) {
    const r = schema.safeParse(vars);
    if (r.success) out[name] = r.data;
    else problems.push(...issueLines(r.error));
  }
  if (problems.length > 0 || !core.success)
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return { core: core.data, fragments: out as { [K in keyof F]: z.output<F[K]> } };
}

/** The variable names a configuration schema reads (for the example environment file's test). */
export function configVariables(schema: z.ZodType = configSchema): string[] {
  let s: unknown = schema;
  // Unwrap effects/pipes (transform, superRefine) down to the object.
  for (let depth = 0; depth < 8 && s && typeof s === 'object'; depth++) {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) break;
    if (def.type === 'object') return Object.keys(def.shape as object);
    s = def.in ?? def.innerType ?? def.schema;
  }
  return [];
}
