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
 * An antispam domain's own states. `requested`: filed, not yet on the gateway; `configured`: in
 * the published Postfix maps (the gateway accepts and relays its mail; its MX may still point
 * elsewhere); `withdrawn`: left (returned or cancelled onboarding). The MX cut-over states
 * (`test-passed`, `active`) of the issue are not implemented yet (README).
 */
export const DOMAIN_STATES = ['requested', 'configured', 'withdrawn'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

export function domainResourceState(s: DomainState): ResourceState {
  switch (s) {
    case 'requested':
      return 'requested';
    case 'configured':
      // Configured on the gateway, but mail reaches it only after the MX cut-over.
      return 'provisioning';
    case 'withdrawn':
      return 'terminated';
  }
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
