import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithToken, testApp } from './test-app.js';

/** What the probe of issue #21 tried as an attacker: each of these got through before. */
describe('abuse', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const ask = (t: Awaited<ReturnType<typeof testApp>>, authorization?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      payload: JSON.stringify({ query: '{ viewer { kind } }' }),
    });

  it('gives one token one budget, however its Authorization header is spelled', async () => {
    const t = await testApp(database, { RATE_LIMIT_PER_MINUTE: '4' });
    const { token } = await staffWithToken(database, 'spelling', ['noc']);
    const spellings = [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER  ${token}`,
      `Bearer\t${token}`,
      `Bearer ${token} `,
    ];
    const statuses: number[] = [];
    for (const h of spellings) statuses.push((await ask(t, h)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    await t.close();
  });

  it('limits guessed tokens by the address they come from', async () => {
    const t = await testApp(database, { RATE_LIMIT_PER_MINUTE: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await ask(t, `Bearer gch_guess${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another address keeps its own budget; a refused token is still told why, not masked.
    const other = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      remoteAddress: '192.0.2.7',
      headers: { 'content-type': 'application/json', authorization: 'Bearer gch_other' },
      payload: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(other.statusCode).toBe(401);
    expect(other.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await t.close();
  });

  it('never writes a query string’s values into the log', async () => {
    const t = await testApp(database);
    await t.app.inject({ method: 'GET', url: '/graphql?query=%7B__typename%7D&access_token=gch_SECRET4711' });
    await t.app.inject({ method: 'GET', url: '/healthz?token=gch_SECRET4712' });
    expect(JSON.stringify(t.logs)).not.toMatch(/SECRET47/);
    const line = t.logs.find((l) => (l.req as { url?: string } | undefined)?.url?.startsWith('/graphql'));
    expect((line?.req as { url?: string } | undefined)?.url).toBe(
      '/graphql?query=[redacted]&access_token=[redacted]',
    );
    await t.close();
  });

  it('answers a megabyte of invalid input with a short error', async () => {
    const t = await testApp(database);
    const { token } = await staffWithToken(database, 'echo', ['admin']);
    const huge = 'x'.repeat(1_000_000);
    for (const [query, variables] of [
      [
        'mutation($v: DateTime) { createToken(input: {name: "n", scope: READ, expiresAt: $v}) { __typename } }',
        { v: huge },
      ],
      [
        'mutation($v: String!) { createToken(input: {name: $v, scope: READ}) { ... on ValidationError { message issues { message } } } }',
        { v: huge },
      ],
      ['query($v: Int) { institutions(first: $v) { edges { cursor } } }', { v: huge }],
      ['query($v: ID!) { request(id: $v) { id } }', { v: huge }],
    ] as const) {
      const res = await t.gql(query, variables, token);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body).length, JSON.stringify(res.body).slice(0, 300)).toBeLessThan(2000);
    }
    await t.close();
  });
});
