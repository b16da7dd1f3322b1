import type { Database } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithToken, testApp } from './test-app.js';

// A resolver that fails like a bug would. Registered before the schema is first built; this
// test file runs in its own process, so no other test sees the field.
builder.queryField('explode', (t) =>
  t.string({
    description: 'Test only.',
    authScopes: { public: true },
    resolve: () => {
      throw new Error('secret internal detail: connection string postgres://u:pw@db');
    },
  }),
);

// A public field that needs the database, to see an outage reach a resolver (not authentication).
builder.queryField('databaseTime', (t) =>
  t.string({
    description: 'Test only.',
    authScopes: { public: true },
    resolve: async (_r, _a, { database }) => String((await database.query('SELECT now() AS t'))[0]?.t),
  }),
);

describe('the HTTP host', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let token: string;

  beforeAll(async () => {
    database = await freshDatabase();
    t = await testApp(database, {
      GRAPHQL_MAX_DEPTH: '2',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_TOKENS: '200',
      BODY_LIMIT_BYTES: '4096',
    });
    token = (await staffWithToken(database, 'nadia', ['noc'])).token;
  });
  afterAll(async () => {
    await t.app.close();
    await database.close();
  });

  it('answers /healthz and /readyz with the engine', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: database.engine });
  });

  it('exposes Prometheus metrics for HTTP and GraphQL', async () => {
    await t.gql('{ viewer { kind } }');
    const res = await t.app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(
      /guichet_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} \d+/,
    );
    expect(res.body).toMatch(/guichet_graphql_operations_total\{type="query",outcome="ok"\} \d+/);
    expect(res.body).toMatch(/guichet_process_resident_memory_bytes/);
  });

  it('carries a plain x-request-id through, and replaces one that could poison logs', async () => {
    const kept = await t.gql('{ viewer { kind } }', {}, undefined, { 'x-request-id': 'noc-ticket-4711' });
    expect(kept.headers['x-request-id']).toBe('noc-ticket-4711');
    expect(t.logs.some((l) => l.reqId === 'noc-ticket-4711')).toBe(true);
    const replaced = await t.gql('{ viewer { kind } }', {}, undefined, { 'x-request-id': 'a'.repeat(300) });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks unexpected errors, quoting the request id, and logs them with it', async () => {
    const res = await t.gql('{ explode }', {}, undefined, { 'x-request-id': 'bug-1' });
    expect(res.body.errors[0]).toMatchObject({
      message: 'Unexpected error',
      extensions: { code: 'INTERNAL' },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/secret internal|postgres:\/\//);
    const logged = t.crashes().find((l) => l.reqId === 'bug-1');
    expect(JSON.stringify(logged)).toMatch(/secret internal detail/);
    t.logs.length = 0;
  });

  it('refuses queries beyond the depth, alias and token limits with a clear error', async () => {
    const deep = await t.gql(
      `mutation { createToken(input: {name: "x", scope: READ}) { ... on CreateTokenPayload { token { id } } } }`,
      {},
      token,
    );
    expect(deep.body.errors[0]).toMatchObject({
      message: 'The query is nested 4 levels deep; at most 2 are allowed.',
      extensions: { code: 'QUERY_TOO_DEEP' },
    });
    const aliases = await t.gql(
      `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
    );
    expect(aliases.body.errors[0]).toMatchObject({
      message: 'The query uses 8 aliases; at most 5 are allowed.',
      extensions: { code: 'TOO_MANY_ALIASES' },
    });
    const tokens = await t.gql(`{ viewer { ${'kind '.repeat(250)} } }`);
    expect(tokens.body.errors[0]).toMatchObject({
      message: 'The query has more than 200 tokens.',
      extensions: { code: 'TOO_MANY_TOKENS' },
    });
    // None of these ran: no token was created.
    const n = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM auth_tokens WHERE name = 'x'`,
    );
    expect(n[0]!.n).toBe(0);
    expect(t.crashes()).toEqual([]);
  });

  it('refuses a query over the cost limit', async () => {
    const cheap = await testApp(database, { GRAPHQL_MAX_COST: '10' });
    const res = await cheap.gql(
      '{ tokens { id name kind scope principal createdBy createdAt expiresAt } }',
      {},
      token,
    );
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^The query's estimated cost is \d+; at most 10 is allowed\.$/),
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
    await cheap.app.close();
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: `{ viewer { kind } }`, variables: { pad: 'x'.repeat(8000) } }),
    });
    expect(res.statusCode).toBe(413);
  });

  it('serves a self-contained GraphiQL: no script or stylesheet from elsewhere', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<title>Guichet<\/title>/);
    expect(res.body).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(res.body).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
    expect(res.body).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
  });

  it('turns a malformed scalar literal into a validation error, never a 500', async () => {
    const res = await t.gql(
      `mutation { createToken(input: {name: "x", scope: READ, expiresAt: "31/12/2030"}) { __typename } }`,
      {},
      token,
    );
    expect(res.status).toBeLessThan(500);
    expect(res.body.errors[0].message).toMatch(/RFC 3339/);
    expect(t.crashes()).toEqual([]);
  });
});

describe('rate limit', () => {
  it('limits each token and each address separately, and answers 429 past the limit', async () => {
    const database = await freshDatabase();
    const t = await testApp(database, { RATE_LIMIT_PER_MINUTE: '3' });
    const a = (await staffWithToken(database, 'a', ['noc'])).token;
    const b = (await staffWithToken(database, 'b', ['noc'])).token;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await t.gql('{ viewer { kind } }', {}, a)).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await t.gql('{ viewer { kind } }', {}, b)).status).toBe(200);
    expect((await t.gql('{ viewer { kind } }')).status).toBe(200);
    // Health checks are never rate limited: monitoring must keep seeing the service.
    for (let i = 0; i < 5; i++) expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    await t.app.close();
    await database.close();
  });
});

describe('readiness', () => {
  it('reports 503 when the database is gone, and so does every call that needs it — never its SQL', async () => {
    const database = await freshDatabase();
    const t = await testApp(database);
    const { token } = await staffWithToken(database, 'outage', ['noc']);
    await database.close();
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    // Authentication is the first thing to need the database…
    const authed = await t.gql('{ tokens { id } }', {}, token);
    // …and an anonymous call fails in its resolver instead.
    const anonymous = await t.gql('{ databaseTime }');
    for (const res of [authed, anonymous]) {
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.errors[0]).toMatchObject({
        message: 'The database is unavailable; try again in a few seconds.',
        extensions: { code: 'UNAVAILABLE' },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/select|from "|auth_tokens|Failed query|PGlite/i);
    }
    expect(t.crashes()).toEqual([]);
    await t.app.close();
  });
});
