import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithToken, testApp } from './test-app.js';

// GraphiQL's own introspection (the richest standard query) must keep working under the
// default limits; everything around it is what the probe of issue #21 abused.
const FULL = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
// The `__schema { … }` selection alone, without the operation's closing brace.
const fullBody = FULL.slice(FULL.indexOf('__schema'), FULL.indexOf('fragment FullType')).trim().slice(0, -1);
const fragments = FULL.slice(FULL.indexOf('fragment FullType'));

describe('query limits and introspection', () => {
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

  const codeOf = (body: { errors?: { extensions?: { code?: string } }[] }) =>
    body.errors?.[0]?.extensions?.code;

  it('answers the standard full introspection anonymously, under the default limits', async () => {
    const res = await t.gql(FULL);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.__schema.types.length).toBeGreaterThan(100);
  });

  it('names the check that fires first: a very deep query is too deep, not too costly', async () => {
    // 50 levels deep is also far over the cost budget: depth is what the client must hear.
    const res = await t.gql(`{ institutions { edges { node { ${cycle(24)} } } } }`, {}, token);
    expect(codeOf(res.body)).toBe('QUERY_TOO_DEEP');
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].message).toMatch(
      /^The query is nested \d+ levels deep; at most 12 are allowed\.$/,
    );
    // 25 aliases of a costly field: over the alias limit (checked before cost).
    const aliased = await t.gql(
      `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: institutions(first: 100) { edges { node { ${cycle(3)} } } }`).join(' ')} }`,
      {},
      token,
    );
    expect(codeOf(aliased.body)).toBe('TOO_MANY_ALIASES');
  });

  it('counts introspection in the cost and allows one __schema per operation', async () => {
    // 20 aliased full introspections: what pushed a staff query from 15 ms to seconds.
    const twenty = `query { ${Array.from({ length: 20 }, (_, i) => `s${i}: ${fullBody}`).join(' ')} } ${fragments}`;
    const many = await t.gql(twenty);
    expect(codeOf(many.body)).toBe('TOO_MANY_INTROSPECTIONS');
    expect(JSON.stringify(many.body).length).toBeLessThan(500);
    const two = await t.gql('{ a: __schema { types { name } } b: __schema { types { name } } }');
    expect(codeOf(two.body)).toBe('TOO_MANY_INTROSPECTIONS');
    // Under a budget smaller than one introspection's weight, introspection is refused as costly.
    const cheap = await testApp(database, { GRAPHQL_MAX_COST: '500' });
    const refused = await cheap.gql('{ __schema { types { name } } }');
    expect(codeOf(refused.body)).toBe('QUERY_TOO_COSTLY');
    await cheap.close();
  });

  it('refuses introspection that expands a type it only refers to', async () => {
    const res = await t.gql(
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
    );
    expect(codeOf(res.body)).toBe('INTROSPECTION_TOO_NESTED');
    const viaType = await t.gql(
      '{ __type(name: "Query") { fields { type { ofType { fields { name } } } } } }',
    );
    expect(codeOf(viaType.body)).toBe('INTROSPECTION_TOO_NESTED');
    // Naming what a field refers to, and expanding a type asked for directly, are fine.
    const ok = await t.gql(
      '{ __type(name: "Query") { fields { name type { kind name ofType { name } } } } }',
    );
    expect(ok.body.errors).toBeUndefined();
  });

  it('answers a repeated introspection from the cache, identically', async () => {
    const hits = async () => {
      const m = await t.app.inject('/metrics');
      return Number(/guichet_graphql_introspection_cache_hits_total (\d+)/.exec(m.body)?.[1] ?? 0);
    };
    const before = await hits();
    const first = await t.gql(FULL);
    const second = await t.gql(FULL);
    expect(second.body).toEqual(first.body);
    const after = await hits();
    expect(after - before).toBeGreaterThanOrEqual(1);
    // Operations that read data are never cached.
    await t.gql('{ viewer { kind } }', {}, token);
    await t.gql('{ viewer { kind } }', {}, token);
    expect(await hits()).toBe(after);
  });

  it('gives variable-coercion errors a code and never echoes a huge value back', async () => {
    const res = await t.gql(
      'query($n: Int) { institutions(first: $n) { edges { cursor } } }',
      {
        n: 'x'.repeat(1_000_000),
      },
      token,
    );
    expect(res.status).toBe(400);
    expect(codeOf(res.body)).toBe('VALIDATION');
    expect(JSON.stringify(res.body).length).toBeLessThan(1500);
    const missing = await t.gql('query($id: ID!) { ticket(id: $id) { id } }', {}, token);
    expect(codeOf(missing.body)).toBe('VALIDATION');
    expect(t.crashes()).toEqual([]);
  });
});

/** A valid selection `levels` × 2 deep: institution → agreement → institution → … */
function cycle(levels: number): string {
  let q = 'id';
  for (let i = 0; i < levels; i++) q = `agreement { institution { ${q} } }`;
  return q;
}
