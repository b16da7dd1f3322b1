import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithToken, testApp } from '../test-app.js';

/**
 * The portal's cookie session at the HTTP level (the browser flow itself is
 * test/e2e/portal.test.ts): what sign-in sets, what a cookie request needs, what sign-out does.
 */
describe('portal session', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let token: string;
  beforeAll(async () => {
    database = await freshDatabase();
    t = await testApp(database, { PUBLIC_URL: 'https://guichet.example' });
    ({ token } = await staffWithToken(database, 'portal-noc', ['noc']));
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  const signIn = (body: unknown, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const viewer = (headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ query: '{ viewer { kind name } }' }),
    });

  it('turns a valid token into an HttpOnly, SameSite=Strict, Secure cookie and a CSRF value', async () => {
    const res = await signIn({ token });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^guichet_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    const { csrf, kind } = res.json();
    expect(kind).toBe('STAFF');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const session = { cookie: cookie.split(';')[0]! };
    // Without the CSRF header a cookie request is refused, and the cookie is not ignored
    // silently either (that would make it an anonymous call).
    const bare = await viewer(session);
    expect(bare.statusCode).toBe(403);
    expect(bare.json().errors[0].extensions.code).toBe('FORBIDDEN');
    const wrong = await viewer({ ...session, 'x-guichet-csrf': `${csrf.slice(1)}x` });
    expect(wrong.statusCode).toBe(403);
    const good = await viewer({ ...session, 'x-guichet-csrf': csrf });
    expect(good.json().data.viewer).toEqual({ kind: 'STAFF', name: 'portal-noc' });

    // A reload asks GET /session, which the cookie answers with the same CSRF value.
    const again = await t.app.inject({ method: 'GET', url: '/session', headers: session });
    expect(again.json()).toEqual({ csrf, kind: 'STAFF' });

    // Sign-out needs the CSRF header too, then clears the cookie.
    const forged = await t.app.inject({ method: 'DELETE', url: '/session', headers: session });
    expect(forged.statusCode).toBe(403);
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { ...session, 'x-guichet-csrf': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^guichet_session=; .*Max-Age=0/);
  });

  it('refuses a bad token with 401 and sets no cookie; accepts JSON only', async () => {
    const bad = await signIn({ token: 'gch_not-a-token' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('UNAUTHENTICATED');
    expect(bad.headers['set-cookie']).toBeUndefined();
    const empty = await signIn({});
    expect(empty.statusCode).toBe(400);
    // What a cross-site HTML form can send: never a session.
    const form = await signIn(`token=${token}`, 'application/x-www-form-urlencoded');
    expect(form.statusCode).toBe(415);
    expect(form.headers['set-cookie']).toBeUndefined();
    const none = await t.app.inject({ method: 'GET', url: '/session' });
    expect(none.statusCode).toBe(401);
  });

  it('serves the built portal at / and its client-side paths, with assets cached', async () => {
    for (const url of ['/', '/requests/00000000-0000-0000-0000-000000000000', '/noc']) {
      const page = await t.app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('<div id="root">');
    }
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(
      (await t.app.inject({ method: 'GET', url: '/' })).body,
    )?.[1];
    const js = await t.app.inject({ method: 'GET', url: asset! });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    // GraphiQL stays where it was.
    const graphiql = await t.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    expect(graphiql.body).toContain('GraphiQL');
  });

  it.each(['requestEvents', 'ticketEvents'])(
    'refuses the %s stream to an anonymous caller',
    async (field) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        payload: JSON.stringify({ query: `subscription { ${field} { id } }` }),
      });
      // The stream ends at once with the error, instead of staying open.
      expect(res.body).toContain('UNAUTHENTICATED');
      expect(res.body).toContain('event: complete');
    },
  );
});
