import type { Database } from '@guichet/db';
import { freshDatabase, ldapEnv, type Slapd, startSlapd } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStaff } from '../auth/staff.js';
import { testApp } from '../test-app.js';

/**
 * The portal's staff sign-in (directory username and password, against a real slapd) and the
 * federation header path, both into the cookie session: what the page gets, that the cookie
 * then works like a token, and that sign-out revokes the session it made.
 */
describe('portal sign-in by LDAP and by federation header', () => {
  let slapd: Slapd | undefined;
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    slapd = await startSlapd();
    database = await freshDatabase();
    // app.inject comes from 127.0.0.1: the trusted proxy here.
    t = await testApp(database, { ...ldapEnv(slapd), FEDERATION_TRUSTED_PROXIES: '127.0.0.1' });
    await createLocalStaff(database, {
      username: 'fed-noc',
      displayName: 'Fed Noc',
      roles: ['noc'],
      eppn: 'fed-noc@renater-example.fr',
    });
  }, 60_000);
  afterAll(async () => {
    try {
      await t?.close();
      await database?.close();
    } finally {
      await slapd?.stop();
    }
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const viewer = async (cookie: string, csrf: string) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', cookie, 'x-guichet-csrf': csrf },
        payload: JSON.stringify({ query: '{ viewer { kind name staffRoles authMethod } }' }),
      })
    ).json();
  const cookieOf = (res: { headers: Record<string, unknown> }) =>
    String(res.headers['set-cookie']).split(';')[0]!;

  it('staff sign in with the directory; sign-out revokes that session', async () => {
    const wrong = await post({ username: 'jdupont', password: 'not-it' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('UNAUTHENTICATED');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await post({ username: 'jdupont' })).statusCode).toBe(400);

    const res = await post({ username: 'jdupont', password: 'jdupont-pw' });
    expect(res.statusCode).toBe(200);
    const { csrf, kind } = res.json();
    expect(kind).toBe('STAFF');
    // The page never gets the secret: only the HttpOnly cookie carries it.
    expect(JSON.stringify(res.json())).not.toContain('gch_');
    const cookie = cookieOf(res);
    expect(String(res.headers['set-cookie'])).toContain('HttpOnly');
    const v = await viewer(cookie, csrf);
    expect(v.data.viewer).toMatchObject({ kind: 'STAFF', name: 'Jeanne Dupont', authMethod: 'session' });
    expect(new Set(v.data.viewer.staffRoles)).toEqual(new Set(['NOC', 'DESK']));

    const out = await t.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'x-guichet-csrf': csrf },
    });
    expect(out.statusCode).toBe(204);
    // The session token itself is gone, not only the cookie: replayed, it is refused.
    const replay = await t.app.inject({ method: 'GET', url: '/session', headers: { cookie } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toMatch(/revoked/);
  });

  it('the federation header from the trusted proxy becomes a session; from elsewhere it does not', async () => {
    const header = { eppn: 'fed-noc@renater-example.fr' };
    const hint = await t.app.inject({ method: 'GET', url: '/session', headers: header });
    expect(hint.statusCode).toBe(401);
    expect(hint.json().federation).toBe(true);
    const noHeader = await t.app.inject({ method: 'GET', url: '/session' });
    expect(noHeader.json().federation).toBe(false);

    const untrusted = await t.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/json', ...header },
      remoteAddress: '192.0.2.7',
      payload: JSON.stringify({ federation: true }),
    });
    expect(untrusted.statusCode).toBe(401);
    expect(untrusted.headers['set-cookie']).toBeUndefined();
    const unknown = await post({ federation: true }, { eppn: 'nobody@renater-example.fr' });
    expect(unknown.statusCode).toBe(401);

    const res = await post({ federation: true }, header);
    expect(res.statusCode).toBe(200);
    const cookie = cookieOf(res);
    const v = await viewer(cookie, res.json().csrf);
    expect(v.data.viewer).toMatchObject({ kind: 'STAFF', name: 'Fed Noc', authMethod: 'session' });
  });
});
