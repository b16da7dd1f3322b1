import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonMediaType } from './graphql-fast-path.js';
import { staffWithToken, testApp } from './test-app.js';

// The fast path (graphql-fast-path.ts) must answer exactly as yoga does. An Origin header sends
// a request through yoga whole (its CORS answers those), so each case is asked both ways and the
// answers compared: status, content type, body — CORS headers aside.

describe('GraphQL fast path', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let token: string;
  beforeAll(async () => {
    database = await freshDatabase();
    t = await testApp(database, { RATE_LIMIT_PER_MINUTE: '100000' });
    token = (await staffWithToken(database, 'lina', ['noc'])).token;
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  const ask = async (payload: unknown, headers: Record<string, string>, viaYoga: boolean) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        ...headers,
        ...(viaYoga ? { origin: 'http://client.example' } : {}),
      },
      payload: JSON.stringify(payload),
    });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as unknown };
  };
  const bearer = () => ({ authorization: `Bearer ${token}` });

  const cases: [string, unknown, () => Record<string, string>][] = [
    ['a read', { query: '{ tokens { id name scope createdAt expiresAt } }' }, bearer],
    ['a read, no Accept', { query: '{ me { kind name } }' }, bearer],
    ['an unknown field', { query: '{ tokenz { id } }' }, bearer],
    ['a syntax error', { query: '{ tokens { id ' }, bearer],
    [
      'a variable of the wrong type',
      { query: 'query ($n: Int) { me { name } }', variables: { n: 'x' } },
      bearer,
    ],
    ['a missing required variable', { query: 'query ($n: Int!) { me { name } }' }, bearer],
    ['anonymous asks for tokens', { query: '{ tokens { id } }' }, () => ({})],
    ['a bad token', { query: '{ me { name } }' }, () => ({ authorization: 'Bearer gch_nope' })],
    [
      'a named operation of two',
      { query: 'query A { me { name } } query B { tokens { id } }', operationName: 'B' },
      bearer,
    ],
    ['an unknown operation name', { query: 'query A { me { name } }', operationName: 'Z' }, bearer],
    ['two operations, no name', { query: 'query A { me { name } } query B { me { kind } }' }, bearer],
    ['an unexpected parameter', { query: '{ me { name } }', extra: 1 }, bearer],
    ['variables as a string', { query: '{ me { name } }', variables: '{}' }, bearer],
    ['no query', { variables: {} }, bearer],
    ['a batch', [{ query: '{ me { name } }' }], bearer],
    [
      'too deep',
      { query: `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }` },
      bearer,
    ],
    ['a mutation over a read-only path', { query: 'mutation { revokeToken(id: "nope") { id } }' }, bearer],
  ];
  const accepts = [
    undefined,
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json',
    '*/*',
  ];

  it('answers every case as yoga does, under every Accept a JSON client sends', async () => {
    for (const [name, payload, headers] of cases) {
      for (const accept of accepts) {
        const h = { ...headers(), ...(accept ? { accept } : {}) };
        const fast = await ask(payload, h, false);
        const yoga = await ask(payload, h, true);
        expect(fast, `${name}, accept ${accept}`).toEqual(yoga);
      }
    }
    expect(t.crashes()).toEqual([]);
  });

  it('keeps the typed codes and statuses a client reads', async () => {
    const read = await ask(
      { query: '{ tokens { id } }' },
      { ...bearer(), accept: 'application/json' },
      false,
    );
    expect(read.status).toBe(200);
    expect(read.type).toBe('application/json; charset=utf-8');
    const invalid = await ask(
      { query: '{ tokenz { id } }' },
      { ...bearer(), accept: 'application/graphql-response+json' },
      false,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const anonymous = await ask({ query: '{ tokens { id } }' }, { accept: 'application/json' }, false);
    expect(anonymous.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('leaves streams and refusals of the Accept header to yoga', () => {
    expect(jsonMediaType(undefined)).toBe('application/json');
    expect(jsonMediaType('*/*')).toBe('application/json');
    expect(jsonMediaType('application/graphql-response+json, application/json')).toBe(
      'application/graphql-response+json',
    );
    expect(jsonMediaType('text/event-stream')).toBeUndefined();
    expect(jsonMediaType('multipart/mixed')).toBeUndefined();
    expect(jsonMediaType('application/json; charset=latin1')).toBeUndefined();
  });

  it('lets another origin call with a token but never with credentials (the cookie)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', origin: 'http://client.example', ...bearer() },
      payload: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://client.example');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/graphql',
      headers: { origin: 'http://client.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
