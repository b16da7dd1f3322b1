/** The common lifecycle of `Query.resources` (@guichet/workflow). */
export type ResourceState = 'requested' | 'provisioning' | 'active' | 'disabled' | 'terminated';

/** Pure types and functions of the antispam line (no I/O). */

/** One self-test result, shown to the institution as is (never a secret in it). */
export interface Finding {
  /** `dns.proof`, `ldap.bind`, `ldap.known`, `ldap.unknown`, `smtp.connect`, `smtp.starttls`, `smtp.rcpt`. */
  check: string;
  level: 'ok' | 'warning' | 'error';
  /** What was tested: a domain, the directory URL, a next hop `host:port`. */
  target: string;
  message: string;
  /** How long the check took, ms. */
  ms: number;
}

export const hasErrors = (findings: readonly Finding[]) => findings.some((f) => f.level === 'error');
export const describeFinding = (f: Finding) => `${f.check} ${f.target}: ${f.message}`;

/**
 * An antispam domain's own states, the MX cut-over as a state machine. `requested`: filed, not
 * yet on the gateway; `configured`: in the published Postfix maps (the gateway accepts and
 * relays its mail; its MX still points elsewhere); `test-passed`: the NOC saw a test message go
 * through the gateway; `active`: every MX of the domain, asked of its authoritative servers,
 * is the gateway; `withdrawn`: left (returned or cancelled onboarding).
 */
export const DOMAIN_STATES = ['requested', 'configured', 'test-passed', 'active', 'withdrawn'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];
/** The states whose domains are in the gateway's published configuration. */
export const ON_GATEWAY = ['configured', 'test-passed', 'active'] as const satisfies readonly DomainState[];

export function domainResourceState(s: DomainState): ResourceState {
  switch (s) {
    case 'requested':
      return 'requested';
    case 'configured':
    case 'test-passed':
      // Configured on the gateway, but mail reaches it only after the MX cut-over.
      return 'provisioning';
    case 'active':
      return 'active';
    case 'withdrawn':
      return 'terminated';
  }
}

/** The MX records of a domain as its authoritative servers give them, against the gateway's names. */
export interface MxCheck {
  /** The authoritative servers asked (`host` or address). */
  servers: string[];
  records: { exchange: string; preference: number; atPlatform: boolean }[];
  /** Every MX is one of the gateway's hosts (and there is at least one). */
  allAtPlatform: boolean;
  /** MX hosts that are not the gateway's (a backup MX still at the institution bypasses the filter). */
  bypass: string[];
  /** Why the poll could not tell (no answer, no authoritative server). */
  error?: string;
}

/** Compares MX answers with the gateway's MX host names (lower case, no final dot). */
export function judgeMx(
  servers: string[],
  records: { exchange: string; preference: number }[],
  platform: readonly string[],
): MxCheck {
  const norm = (h: string) => h.toLowerCase().replace(/\.$/, '');
  const ours = new Set(platform.map(norm));
  const rs = records
    .map((r) => ({
      exchange: norm(r.exchange),
      preference: r.preference,
      atPlatform: ours.has(norm(r.exchange)),
    }))
    .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
  const bypass = rs.filter((r) => !r.atPlatform).map((r) => r.exchange);
  return { servers, records: rs, allAtPlatform: rs.length > 0 && bypass.length === 0, bypass };
}

/** Rspamd thresholds of one layer; null inherits from the layer above. */
export interface SettingsLayer {
  addHeader: number | null;
  rewriteSubject: number | null;
  reject: number | null;
  tagSubject: boolean | null;
}

export interface EffectiveSettings {
  addHeader: number;
  rewriteSubject: number;
  reject: number;
  tagSubject: boolean;
}

/** The platform's own defaults, under every stored layer (header tagging, no subject rewrite). */
export const BUILTIN_SETTINGS: EffectiveSettings = {
  addHeader: 6,
  rewriteSubject: 8,
  reject: 15,
  tagSubject: false,
};

/** global → institution → domain: each non-null value overrides the one above. */
export function mergeSettings(...layers: (Partial<SettingsLayer> | null | undefined)[]): EffectiveSettings {
  const out = { ...BUILTIN_SETTINGS };
  for (const l of layers)
    if (l)
      for (const k of ['addHeader', 'rewriteSubject', 'reject', 'tagSubject'] as const) {
        const v = l[k];
        if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
      }
  return out;
}

export interface NextHop {
  host: string;
  port: number;
}

export const hopText = (h: NextHop) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;

export interface DirectorySpec {
  url: string;
  base: string;
  /** An LDAP filter with `%s` where the full address goes (Postfix ldap_table semantics). */
  filter: string;
  bindDn: string;
  /** The attribute returned for a found address (Postfix ignores the value for recipient maps). */
  resultAttribute: string;
  /** ldap:// with StartTLS (true) or ldaps:// / a waived plain connection (false). */
  startTls: boolean;
}

/** RFC 4515 escaping of a value put into a filter (what Postfix does for `%s`). */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export const filterFor = (template: string, address: string) =>
  template.split('%s').join(escapeFilterValue(address));

/** The domain part of an address, lower case. */
export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Whether `name` is `domain` or under it. */
export const within = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);
