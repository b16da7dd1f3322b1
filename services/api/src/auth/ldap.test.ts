import { createServer, type Server, type Socket } from 'node:net';
import type { Database } from '@guichet/db';
import { freshDatabase, ldapEnv, type Slapd, startSlapd } from '@guichet/testkit';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test-app.js';
import { createLocalStaff } from './staff.js';

/**
 * Peers tier: staff login over HTTP against a real slapd (packages/testkit/src/slapd.ts).
 * Every failure must come back as a typed GraphQL error with no stack trace, and nothing may be
 * logged at level error or above: a directory problem is an outage to report, not a crash.
 */

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  __typename
  ... on LoginPayload { token expiresAt staffRoles }
  ... on Error { code message }
  ... on PolicyRefusalError { rule }
  ... on UnavailableError { dependency }
} }`;
const VIEWER = '{ viewer { kind name staffRoles authMethod } }';

type App = Awaited<ReturnType<typeof testApp>>;

const USERS = [
  {
    uid: 'jdupont',
    password: 'Jd-s3cret',
    cn: 'Jeanne Dupont',
    mail: 'jeanne.dupont@renater-example.fr',
    eppn: 'jdupont@renater-example.fr',
  },
  { uid: 'amartin', password: 'Am-s3cret', cn: 'Alain Martin' },
  { uid: 'lrobert', password: 'Lr-s3cret', cn: 'Luc Robert' },
  { uid: 'pbernard', password: 'Pb-s3cret', cn: 'Paul Bernard' },
  { uid: 'lpetit', password: 'Lp-s3cret', cn: 'Lucie Petit' },
  { uid: 'mroux', password: 'Mr-s3cret', cn: 'Marc Roux', eppn: 'mroux@renater-example.fr' },
];
const GROUPS = [
  { cn: 'noc', members: ['jdupont', 'mroux'] },
  { cn: 'desk', members: ['jdupont', 'lpetit'] },
  { cn: 'admins', members: ['amartin', 'lrobert'] },
  { cn: 'cafeteria', members: ['pbernard', 'jdupont'] }, // no role: membership must not count
];

describe('staff login against a real slapd', () => {
  let slapd: Slapd | undefined;
  let database: Database;
  let t: App;
  const apps: App[] = [];

  beforeAll(async () => {
    slapd = await startSlapd({ users: USERS, groups: GROUPS });
    database = await freshDatabase();
    t = await app(ldapEnv(slapd));
  });
  afterAll(async () => {
    // finally: whatever fails above, the daemon is stopped (no slapd outlives the run).
    try {
      for (const a of apps) await a.app.close();
      await database?.close();
    } finally {
      await slapd?.stop();
    }
  });
  afterEach(() => {
    // Per test: empty the captured logs so one crash fails only the test that caused it.
    const crashes = apps.flatMap((a) => a.crashes());
    for (const a of apps) a.logs.length = 0;
    expect(crashes).toEqual([]);
  });

  async function app(env: Record<string, string>): Promise<App> {
    const a = await testApp(database, env);
    apps.push(a);
    return a;
  }

  /** The login result, after checking the transport-level promises every case must keep. */
  async function login(a: App, u: string, p: string) {
    const res = await a.gql(LOGIN, { u, p });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(/stack|\bat .+:\d+:\d+|ECONNREFUSED|ldapts/i);
    return res.body.data.login;
  }

  const staffRow = async (username: string) =>
    (
      await database.query<{
        roles: string[];
        eppn: string | null;
        email: string | null;
        source: string;
        display_name: string;
      }>('SELECT roles, eppn, email, source, display_name FROM auth_staff WHERE username = $1', [username])
    )[0];

  it('logs in with directory credentials, maps groups to roles, and the session token works', async () => {
    const r = await login(t, 'jdupont', 'Jd-s3cret');
    expect(r.__typename).toBe('LoginPayload');
    expect(r.token).toMatch(/^gch_/);
    expect([...r.staffRoles].sort()).toEqual(['DESK', 'NOC']);
    const me = await t.gql(VIEWER, {}, r.token);
    expect(me.body.data.viewer).toEqual({
      kind: 'STAFF',
      name: 'Jeanne Dupont',
      staffRoles: expect.arrayContaining(['NOC', 'DESK']),
      authMethod: 'session',
    });
    // The row carries what the directory said, including the eppn used by federation login.
    expect(await staffRow('jdupont')).toEqual({
      roles: ['noc', 'desk'],
      eppn: 'jdupont@renater-example.fr',
      email: 'jeanne.dupont@renater-example.fr',
      source: 'ldap',
      display_name: 'Jeanne Dupont',
    });
    // The login is in the change log, as the person, with their roles at that moment.
    const log = await database.query<{ actor: string; after: { roles: string[] } }>(
      `SELECT actor, after FROM audit_changes WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`,
    );
    expect(log[0]).toMatchObject({ actor: 'staff:jdupont', after: { roles: ['noc', 'desk'] } });
  });

  it('gives an administrator ADMIN only', async () => {
    const r = await login(t, 'amartin', 'Am-s3cret');
    expect(r.staffRoles).toEqual(['ADMIN']);
    expect(await staffRow('amartin')).toMatchObject({ roles: ['admin'], eppn: null, email: null });
  });

  it('refreshes roles at the next login after a group change in the directory', async () => {
    const first = await login(t, 'lpetit', 'Lp-s3cret');
    expect(first.staffRoles).toEqual(['DESK']);
    // As rootdn, move lpetit from desk to noc+admins, as an operator would.
    const root = new Client({ url: slapd!.url, timeout: 2000 });
    try {
      await root.bind(slapd!.rootDn, slapd!.rootPassword);
      const member = (op: 'add' | 'delete', cn: string) =>
        root.modify(
          slapd!.groupDn(cn),
          new Change({
            operation: op,
            modification: new Attribute({ type: 'member', values: [slapd!.userDn('lpetit')] }),
          }),
        );
      await member('delete', 'desk');
      await member('add', 'noc');
      await member('add', 'admins');
    } finally {
      await root.unbind();
    }
    const second = await login(t, 'lpetit', 'Lp-s3cret');
    expect([...second.staffRoles].sort()).toEqual(['ADMIN', 'NOC']);
    expect((await staffRow('lpetit'))?.roles.sort()).toEqual(['admin', 'noc']);
    // Staff roles are read live from auth_staff, so the first session sees the change too.
    const me = await t.gql(VIEWER, {}, first.token);
    expect([...me.body.data.viewer.staffRoles].sort()).toEqual(['ADMIN', 'NOC']);
  });

  it('answers a wrong password and an unknown user identically (no user enumeration)', async () => {
    const wrong = await login(t, 'jdupont', 'not-the-password');
    const unknown = await login(t, 'nobody-here', 'whatever');
    expect(wrong).toEqual({
      __typename: 'InvalidCredentialsError',
      code: 'UNAUTHENTICATED',
      message: expect.any(String),
    });
    expect(unknown).toEqual(wrong);
  });

  it('refuses an empty password (an LDAP "unauthenticated bind" would succeed)', async () => {
    const r = await login(t, 'jdupont', '');
    expect(r.__typename).toBe('InvalidCredentialsError');
  });

  it.each(['*', 'admin)(uid=*', 'a,ou=x', 'jdupont,ou=people', 'jdupont)(|(uid=*', '\\2a', ''])(
    'refuses the injected username %j',
    async (u) => {
      // With a real password: the odd username alone must make it fail.
      const r = await login(t, u, 'Jd-s3cret');
      expect(r.__typename).toBe('InvalidCredentialsError');
    },
  );

  it('refuses a valid account that is in no staff group, and creates no row for it', async () => {
    const r = await login(t, 'pbernard', 'Pb-s3cret');
    expect(r).toMatchObject({
      __typename: 'PolicyRefusalError',
      code: 'POLICY_REFUSAL',
      rule: 'staff-group',
    });
    expect(await staffRow('pbernard')).toBeUndefined();
  });

  it('refuses (without crashing) a login whose eppn another account already holds', async () => {
    // e.g. a break-glass account an administrator linked to that person's federated identity
    await createLocalStaff(database, {
      username: 'roux-local',
      displayName: 'M. Roux',
      roles: ['admin'],
      eppn: 'mroux@renater-example.fr',
    });
    const r = await login(t, 'mroux', 'Mr-s3cret');
    expect(r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'eppn-in-use' });
    expect(await staffRow('mroux')).toBeUndefined();
    expect(await staffRow('roux-local')).toMatchObject({ roles: ['admin'], source: 'local' });
  });

  it('never takes over a local account that shares a directory username', async () => {
    await createLocalStaff(database, { username: 'lrobert', displayName: 'Break-glass', roles: ['desk'] });
    const r = await login(t, 'lrobert', 'Lr-s3cret');
    expect(r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'local-account' });
    expect(await staffRow('lrobert')).toMatchObject({
      roles: ['desk'],
      source: 'local',
      display_name: 'Break-glass',
    });
  });

  describe('when the directory is not there', () => {
    const UNAVAILABLE = {
      __typename: 'UnavailableError',
      code: 'UNAVAILABLE',
      dependency: 'ldap',
      message: 'The staff directory is unavailable; try again later',
    };
    let hanging: Server | undefined;
    const held = new Set<Socket>();
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise((r) => (hanging ? hanging.close(r) : r(undefined)));
    });

    it('reports a stopped slapd as unavailable, and logs the cause as a warning', async () => {
      const gone = await startSlapd({ users: USERS, groups: GROUPS });
      await gone.stop();
      const a = await app(ldapEnv(gone));
      expect(await login(a, 'jdupont', 'Jd-s3cret')).toEqual(UNAVAILABLE);
      // Operators get the reason (ECONNREFUSED) in a warn line, not in the client's answer.
      const warn = a.logs.find((l) => l.level === 40 && l.msg === UNAVAILABLE.message);
      expect(JSON.stringify(warn)).toMatch(/ECONNREFUSED/);
    });

    it('reports a port where nothing listens as unavailable', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const a = await app({ ...ldapEnv(slapd!), LDAP_URL: `ldap://127.0.0.1:${port}` });
      expect(await login(a, 'jdupont', 'Jd-s3cret')).toEqual(UNAVAILABLE);
    });

    it('gives up on a directory that accepts and never answers within LDAP_TIMEOUT_MS', async () => {
      hanging = createServer((s) => {
        held.add(s);
        s.on('error', () => {});
      });
      await new Promise<void>((r) => hanging!.listen(0, '127.0.0.1', r));
      const port = (hanging.address() as { port: number }).port;
      const a = await app({
        ...ldapEnv(slapd!),
        LDAP_URL: `ldap://127.0.0.1:${port}`,
        LDAP_TIMEOUT_MS: '300',
      });
      const t0 = performance.now();
      expect(await login(a, 'jdupont', 'Jd-s3cret')).toEqual(UNAVAILABLE);
      expect(performance.now() - t0).toBeLessThan(1200);
    });

    it('says staff login is not configured when LDAP_URL is unset', async () => {
      const a = await app({});
      const r = await login(a, 'jdupont', 'Jd-s3cret');
      expect(r).toMatchObject({ __typename: 'UnavailableError', dependency: 'ldap' });
      expect(r.message).toMatch(/not configured.*LDAP_URL/);
    });
  });
});
