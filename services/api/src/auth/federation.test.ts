import { ConfigError } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../test-app.js';
import { createLocalStaff } from './staff.js';
import { issueSession } from './tokens.js';

/**
 * Api tier: the SAML proxy in front of Guichet passes the user's eduPersonPrincipalName in a
 * header. The header is believed only when the TCP peer is a configured proxy: anyone else can
 * type it. light-my-request's `remoteAddress` plays the TCP peer (it defaults to 127.0.0.1).
 */

const VIEWER = '{ viewer { kind name staffRoles authMethod } }';
const EPPN = 'jdupont@renater-example.fr';
const ANONYMOUS = { kind: 'ANONYMOUS', name: null, staffRoles: [], authMethod: null };

type App = Awaited<ReturnType<typeof testApp>>;

describe('federation header', () => {
  let database: Database;
  let t: App;
  const apps: App[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    await createLocalStaff(database, {
      username: 'jdupont',
      displayName: 'Jeanne Dupont',
      roles: ['noc'],
      eppn: EPPN,
    });
    t = await app({ FEDERATION_TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const a of apps) await a.app.close();
    await database?.close();
  });
  // Refusals are expected outcomes: none may be logged as a crash.
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

  async function viewer(a: App, remoteAddress: string, headers: Record<string, string>) {
    const res = await a.app.inject({
      method: 'POST',
      url: '/graphql',
      remoteAddress,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      payload: JSON.stringify({ query: VIEWER }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: loosely typed GraphQL JSON
    return { status: res.statusCode, headers: res.headers, body: res.json() as any };
  }

  it('believes the header from a trusted proxy: staff, authMethod federation', async () => {
    const r = await viewer(t, '127.0.0.1', { eppn: EPPN });
    expect(r.status).toBe(200);
    expect(r.body.data.viewer).toEqual({
      kind: 'STAFF',
      name: 'Jeanne Dupont',
      staffRoles: ['NOC'],
      authMethod: 'federation',
    });
  });

  it('compares eppn case-insensitively, as eduPerson defines it', async () => {
    const r = await viewer(t, '127.0.0.1', { eppn: EPPN.toUpperCase() });
    expect(r.body.data.viewer.kind).toBe('STAFF');
  });

  it('ignores the same header from any other address (caller stays anonymous)', async () => {
    for (const from of ['192.0.2.10', '127.0.0.2', '::1']) {
      const r = await viewer(t, from, { eppn: EPPN });
      expect(r.status, from).toBe(200);
      expect(r.body.data.viewer, from).toEqual(ANONYMOUS);
    }
  });

  it('refuses an unknown eppn from the trusted proxy with 401 and a clear message', async () => {
    const r = await viewer(t, '127.0.0.1', { eppn: 'intrus@renater-example.fr' });
    expect(r.status).toBe(401);
    expect(r.body.errors).toEqual([
      {
        message: 'No Guichet account matches this federated identity',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(JSON.stringify(r.body)).not.toMatch(/stack|\bat .+:\d+:\d+/);
  });

  it('lets a bearer token win over the header', async () => {
    const other = await createLocalStaff(database, {
      username: 'amartin',
      displayName: 'Alain Martin',
      roles: ['admin'],
    });
    const { secret } = await issueSession(database.db, other.id, other.username, new Date(), 1);
    const r = await viewer(t, '127.0.0.1', { eppn: EPPN, authorization: `Bearer ${secret}` });
    expect(r.body.data.viewer).toEqual({
      kind: 'STAFF',
      name: 'Alain Martin',
      staffRoles: ['ADMIN'],
      authMethod: 'session',
    });
    // …including a bad one: the caller gets 401, not a silent fall-back to the header.
    const bad = await viewer(t, '127.0.0.1', { eppn: EPPN, authorization: `Bearer gch_${'x'.repeat(43)}` });
    expect(bad.status).toBe(401);
  });

  it('accepts prefixes and IPv4-mapped peers in FEDERATION_TRUSTED_PROXIES', async () => {
    const a = await app({ FEDERATION_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.0/28' });
    expect((await viewer(a, '192.0.2.10', { eppn: EPPN })).body.data.viewer.authMethod).toBe('federation');
    expect((await viewer(a, '::ffff:10.1.2.3', { eppn: EPPN })).body.data.viewer.authMethod).toBe(
      'federation',
    );
    expect((await viewer(a, '192.0.2.20', { eppn: EPPN })).body.data.viewer).toEqual(ANONYMOUS);
    expect((await viewer(a, '127.0.0.1', { eppn: EPPN })).body.data.viewer).toEqual(ANONYMOUS);
  });

  it('trusts no one by default', async () => {
    const a = await app({});
    expect((await viewer(a, '127.0.0.1', { eppn: EPPN })).body.data.viewer).toEqual(ANONYMOUS);
  });

  it('honours FEDERATION_HEADER, and then ignores the default header name', async () => {
    const a = await app({ FEDERATION_TRUSTED_PROXIES: '127.0.0.1', FEDERATION_HEADER: 'X-Remote-User' });
    expect((await viewer(a, '127.0.0.1', { 'x-remote-user': EPPN })).body.data.viewer.authMethod).toBe(
      'federation',
    );
    expect((await viewer(a, '127.0.0.1', { eppn: EPPN })).body.data.viewer).toEqual(ANONYMOUS);
  });

  it.each(['proxy.renater-example.fr', '10.0.0.1/8', '192.0.2.300', '127.0.0.1/33'])(
    'refuses to start with FEDERATION_TRUSTED_PROXIES=%j',
    async (value) => {
      const built = testApp(database, { FEDERATION_TRUSTED_PROXIES: `127.0.0.1,${value}` });
      await expect(built).rejects.toBeInstanceOf(ConfigError);
      await expect(built).rejects.toThrow(/FEDERATION_TRUSTED_PROXIES/);
    },
  );
});
