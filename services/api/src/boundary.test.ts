import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, makeCast } from './authz/fixtures.js';
import { ipamPools } from './authz/ipam-fixtures.js';
import { pendingDeskRequest } from './authz/requests.js';
import { testApp } from './test-app.js';

/**
 * The answers the probes of issues #19 and #21 found to be "Unexpected error" (INTERNAL) or a
 * silent success, each as a user meets it. The fuzz test covers every field generically; these
 * pin the cases named in the issues and the exact answer each now gets.
 */
describe('the GraphQL boundary, on the cases the probes found', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  let admin: string;
  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database);
    admin = cast.tokens.admin!;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  // Fragments spread only on the unions that hold the type: RN for those with NotFoundError.
  const R = '__typename ... on Error { code message } ... on ValidationError { issues { path message } }';
  const RN = `${R} ... on NotFoundError { id }`;
  const r = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
    const res = await t.gql(query, variables, token);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    expect(JSON.stringify(res.body)).not.toMatch(/"INTERNAL"/);
    return res.body;
  };

  it('an id that is not a UUID reads as not found, in queries and mutations alike', async () => {
    expect((await r('{ delegation(id: "not-a-uuid") { id } }')).data.delegation).toBeNull();
    for (const field of ['recheckDelegation', 'withdrawDelegation']) {
      const body = await r(`mutation { r: ${field}(id: "not-a-uuid") { ${RN} } }`);
      expect(body.data.r).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', id: 'not-a-uuid' });
    }
  });

  it('refuses NUL in every String input with a validation error naming the field', async () => {
    const token = await r(`mutation { r: createToken(input: { name: "a\\u0000b", scope: READ }) { ${R} } }`);
    expect(token.data.r).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'name'] }],
    });
    for (const field of ['body', 'objectId', 'objectType']) {
      const input = {
        objectType: 'Institution',
        objectId: cast.institutionA,
        body: 'note',
        [field]: 'x\u0000y',
      };
      const j = await r(`mutation($i: AddJournalEntryInput!) { r: addJournalEntry(input: $i) { ${R} } }`, {
        i: input,
      });
      expect(j.data.r).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', field] }] });
    }
    const journal = await t.gql('{ journal(objectType: "Inst\\u0000", objectId: "x") { id } }', {}, admin);
    expect(journal.body.errors[0].extensions.code).toBe('VALIDATION');
    const collector = await r(
      `mutation { r: createCollector(input: { name: "c1", region: "Nord\\u0000", asn: 65001, routerId: "192.0.2.1" }) { ${R} } }`,
    );
    expect(collector.data.r).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'region'] }],
    });
  });

  it('bounds free text: a 100,000-character objectId is refused, its limit is in the schema', async () => {
    const j = await r(`mutation($i: AddJournalEntryInput!) { r: addJournalEntry(input: $i) { ${R} } }`, {
      i: { objectType: 'Institution', objectId: 'x'.repeat(100_000), body: 'note' },
    });
    expect(j.data.r).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'objectId'], message: 'is longer than 256 characters' }],
    });
    const type = await r('{ __type(name: "AddJournalEntryInput") { inputFields { name description } } }');
    const fields = Object.fromEntries(
      type.data.__type.inputFields.map((f: { name: string; description: string }) => [f.name, f.description]),
    );
    expect(fields.objectId).toMatch(/At most 256 characters\.$/);
    expect(fields.body).toMatch(/At most 10,000 characters\.$/);
  });

  it('says NotFound for an unknown request instead of a silent success', async () => {
    const body = await r(
      `mutation { r: retryNotifications(input: { requestId: "7c9e6679-7425-40de-944b-e07fc1f90ae7" }) { ${RN} } }`,
    );
    expect(body.data.r).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('refuses a lone surrogate, in a variable and inside a JSON payload', async () => {
    const lone = await r(
      `mutation($n: String!) { r: createToken(input: { name: $n, scope: READ }) { ${R} } }`,
      {
        n: 'a\ud800b',
      },
    );
    expect(lone.data.r.issues[0].message).toMatch(/unpaired UTF-16 surrogate/);
    // A draft of the technical contact, amended with a payload whose JSON escape decodes to one.
    const draft = await pendingDeskRequest(cast, { submit: false });
    const amend = await r(
      `mutation($id: ID!, $p: String!, $rev: Int!) { r: amendRequest(input: { requestId: $id, revision: $rev, payload: $p }) { ${R} } }`,
      { id: draft.id, rev: draft.revision, p: '{"action":"ADD","name":"\\ud800"}' },
      cast.tokens.technical,
    );
    expect(amend.data.r).toMatchObject({
      __typename: 'ValidationError',
      message: expect.stringMatching(/unpaired UTF-16 surrogate/),
    });
  });

  it('refuses values nobody means: ::/0 pools, year 0000, reservations already expired, IPv4-mapped IPv6', async () => {
    const pool = await r(
      `mutation { r: createPool(input: { name: "all", prefix: "::/0", ripeStatus: "ALLOCATED-BY-RIR", purpose: "x" }) { ${R} } }`,
    );
    expect(pool.data.r).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'prefix'] }],
    });
    const mapped = await t.gql(
      `mutation { r: createPool(input: { name: "m", prefix: "::ffff:10.0.0.0/104", ripeStatus: "ALLOCATED-BY-RIR", purpose: "x" }) { ${R} } }`,
      {},
      admin,
    );
    expect(mapped.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/write the IPv4 prefix 10\.0\.0\.0\/8/),
      extensions: { code: 'VALIDATION' },
    });
    const { v6 } = await ipamPools(cast);
    const year0 = await t.gql(
      `mutation($p: ID!) { r: reservePrefix(input: { poolId: $p, reason: "x", expiresAt: "0000-01-01T00:00:00Z" }) { ${R} } }`,
      { p: v6 },
      admin,
    );
    expect(year0.body.errors[0].extensions.code).toBe('VALIDATION');
    const past = await r(
      `mutation($p: ID!) { r: reservePrefix(input: { poolId: $p, reason: "x", expiresAt: "1970-01-01T00:00:00Z" }) { ${R} } }`,
      { p: v6 },
    );
    expect(past.data.r).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'expiresAt'], message: 'must be in the future' }],
    });
    expect(t.crashes()).toEqual([]);
  });
});
