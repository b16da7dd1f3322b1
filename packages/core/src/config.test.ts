import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded engine on 127.0.0.1:4000 with demo data and in-process jobs', () => {
    const c = loadConfig({});
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.PORT).toBe(4000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DEMO).toBe(true);
    expect(c.JOBS_IN_PROCESS).toBe(true);
  });

  it('turns demo mode and in-process jobs off for a server URL unless asked', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/guichet' });
    expect(c.DEMO).toBe(false);
    expect(c.JOBS_IN_PROCESS).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', DEMO: 'true' }).DEMO).toBe(true);
  });

  it('fails fast naming each bad variable', () => {
    const err = (() => {
      try {
        loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', DEMO: 'maybe' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT:/);
    expect(msg).toMatch(/DATABASE_URL:/);
    expect(msg).toMatch(/DEMO:/);
  });

  it('parses the LDAP role map and requires its companions', () => {
    const c = loadConfig({
      LDAP_URL: 'ldap://127.0.0.1:3389',
      LDAP_USER_DN: 'uid={username},ou=people,dc=x',
      LDAP_GROUP_BASE: 'ou=groups,dc=x',
      LDAP_ROLE_GROUPS: 'noc=cn=noc,ou=groups,dc=x; admin=cn=admins,ou=groups,dc=x',
    });
    expect(c.LDAP_ROLE_GROUPS).toEqual({ noc: 'cn=noc,ou=groups,dc=x', admin: 'cn=admins,ou=groups,dc=x' });
    expect(() => loadConfig({ LDAP_URL: 'ldap://127.0.0.1:3389' })).toThrow(/LDAP_USER_DN/);
    expect(() =>
      loadConfig({
        LDAP_URL: 'ldap://h',
        LDAP_USER_DN: 'uid={username}',
        LDAP_GROUP_BASE: 'x',
        LDAP_ROLE_GROUPS: 'janitor=cn=x',
      }),
    ).toThrow(/janitor=cn=x/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(4000);
  });
});
