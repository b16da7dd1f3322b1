import {
  type Config,
  DomainError,
  PolicyRefusalError,
  STAFF_ROLES,
  type StaffRole,
  UnavailableError,
} from '@guichet/core';

/**
 * Staff login against the operator's LDAP directory: bind as the user (the directory checks the
 * password; Guichet never sees a hash), read the user's entry and the groups naming them, map
 * groups to staff roles from configuration.
 */

/** Wrong password and unknown user give this same error: no user enumeration. */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor() {
    super('Invalid username or password');
  }
}

export interface LdapSettings {
  url: string;
  userDnTemplate: string;
  groupBase: string;
  roleGroups: Partial<Record<StaffRole, string>>;
  timeoutMs: number;
}

export interface DirectoryUser {
  dn: string;
  username: string;
  displayName: string;
  email: string | null;
  eppn: string | null;
  roles: StaffRole[];
}

export function ldapSettings(config: Config): LdapSettings | undefined {
  if (!config.LDAP_URL || !config.LDAP_USER_DN || !config.LDAP_GROUP_BASE || !config.LDAP_ROLE_GROUPS)
    return undefined;
  return {
    url: config.LDAP_URL,
    userDnTemplate: config.LDAP_USER_DN,
    groupBase: config.LDAP_GROUP_BASE,
    roleGroups: config.LDAP_ROLE_GROUPS,
    timeoutMs: config.LDAP_TIMEOUT_MS,
  };
}

// Usernames go into a DN: a conservative alphabet rules out DN and filter injection.
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export async function ldapAuthenticate(
  s: LdapSettings,
  username: string,
  password: string,
): Promise<DirectoryUser> {
  // An empty password would be an LDAP "unauthenticated bind", which succeeds for any DN.
  if (!USERNAME.test(username) || password.length === 0) throw new InvalidCredentialsError();
  const dn = s.userDnTemplate.replace('{username}', username);
  // Loaded with the first staff login, not at start (part of the cold start, issue #10).
  const {
    Client,
    EqualityFilter,
    InvalidCredentialsError: LdapInvalidCredentials,
    OrFilter,
  } = await import('ldapts');
  const client = new Client({ url: s.url, timeout: s.timeoutMs, connectTimeout: s.timeoutMs });
  try {
    try {
      await client.bind(dn, password);
    } catch (e) {
      if (e instanceof LdapInvalidCredentials) throw new InvalidCredentialsError();
      throw e;
    }
    const { searchEntries: [entry] = [] } = await client.search(dn, {
      scope: 'base',
      attributes: ['cn', 'displayName', 'mail', 'eduPersonPrincipalName'],
    });
    const { searchEntries: groups } = await client.search(s.groupBase, {
      scope: 'sub',
      filter: new OrFilter({
        filters: [
          new EqualityFilter({ attribute: 'member', value: dn }),
          new EqualityFilter({ attribute: 'uniqueMember', value: dn }),
          new EqualityFilter({ attribute: 'memberUid', value: username }),
        ],
      }),
      attributes: ['cn'],
    });
    const memberOf = new Set(groups.map((g) => normaliseDn(g.dn)));
    const roles = STAFF_ROLES.filter((r) => {
      const group = s.roleGroups[r];
      return group !== undefined && memberOf.has(normaliseDn(group));
    });
    if (roles.length === 0) {
      throw new PolicyRefusalError('staff-group', 'Your account is not in any Guichet staff group');
    }
    return {
      dn,
      username: username.toLowerCase(),
      displayName: first(entry?.displayName) ?? first(entry?.cn) ?? username,
      email: first(entry?.mail) ?? null,
      eppn: first(entry?.eduPersonPrincipalName) ?? null,
      roles,
    };
  } catch (e) {
    if (e instanceof DomainError) throw e;
    // Connection refused, timeout, TLS failure, directory misbehaving: the user can do nothing
    // about it, so they get one clear message; operators get the cause in the log.
    throw Object.assign(new UnavailableError('ldap', 'The staff directory is unavailable; try again later'), {
      cause: e,
    });
  } finally {
    await client.unbind().catch(() => {});
  }
}

function first(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null) return undefined;
  return Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}

function normaliseDn(dn: string): string {
  return dn
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .join(',');
}
