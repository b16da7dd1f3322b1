import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithToken, testApp } from '../test-app.js';

const CREATE = `mutation($input: CreateTokenInput!) { createToken(input: $input) {
  __typename
  ... on CreateTokenPayload { secret token { id name scope principal scriptRoles expiresAt } }
  ... on Error { code message }
  ... on ValidationError { issues { path message } }
} }`;
const VIEWER = '{ viewer { kind name staffRoles scope authMethod } }';
const REVOKE = `mutation($id: ID!) { revokeToken(id: $id) {
  __typename ... on RevokeTokenPayload { token { id revokedAt } } ... on Error { code message } } }`;

describe('API tokens', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let noc: { token: string };
  let admin: { token: string };
  let other: { token: string };

  beforeAll(async () => {
    database = await freshDatabase();
    t = await testApp(database);
    noc = await staffWithToken(database, 'nadia', ['noc']);
    admin = await staffWithToken(database, 'alain', ['admin']);
    other = await staffWithToken(database, 'olivier', ['desk']);
  });
  afterAll(async () => {
    await t.app.close();
    await database.close();
  });

  const create = (token: string, input: Record<string, unknown>) => t.gql(CREATE, { input }, token);

  it('creates a token whose secret is shown once and stored only as a hash', async () => {
    const { body } = await create(noc.token, { name: 'inventory script', scope: 'READ' });
    const { secret, token } = body.data.createToken;
    expect(secret).toMatch(/^gch_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'inventory script', scope: 'READ', scriptRoles: [] });
    const rows = await database.query<Record<string, unknown>>('SELECT * FROM auth_tokens WHERE id = $1', [
      token.id,
    ]);
    expect(JSON.stringify(rows)).not.toContain(secret);
    const list = await t.gql('{ tokens { id name } }', {}, noc.token);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.data.tokens.map((x: { id: string }) => x.id)).toContain(token.id);
  });

  it('writes token creation and revocation to the change log with the request id, never the hash', async () => {
    const made = await t.gql(CREATE, { input: { name: 'audited', scope: 'READ' } }, noc.token, {
      'x-request-id': 'mk-1',
    });
    const id = made.body.data.createToken.token.id;
    await t.gql(REVOKE, { id }, noc.token, { 'x-request-id': 'rv-1' });
    const log = await t.gql(
      `query($id: String!) { changes(objectType: "ApiToken", objectId: $id) { edges { node { action actor requestId before after } } } }`,
      { id },
      noc.token,
    );
    const nodes = log.body.data.changes.edges.map((e: { node: Record<string, string> }) => e.node);
    expect(nodes.map((n: Record<string, string>) => [n.action, n.actor, n.requestId])).toEqual([
      ['auth.revokeToken', 'staff:nadia', 'rv-1'],
      ['auth.createToken', 'staff:nadia', 'mk-1'],
    ]);
    expect(JSON.stringify(nodes)).not.toMatch(/"hash"/);
  });

  it('lets a read-only token query but not mutate', async () => {
    const { body } = await create(noc.token, { name: 'ro', scope: 'READ' });
    const ro = body.data.createToken.secret;
    const me = await t.gql(VIEWER, {}, ro);
    expect(me.body.data.viewer).toMatchObject({ kind: 'STAFF', scope: 'READ', authMethod: 'token' });
    const denied = await create(ro, { name: 'escalate', scope: 'WRITE' });
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(denied.body.data).toBeNull();
  });

  it('refuses unknown, malformed, expired and revoked tokens with 401 and a clear message', async () => {
    const unknown = await t.gql(VIEWER, {}, `gch_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors[0]).toMatchObject({
      message: 'Invalid token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const malformed = await t.gql(VIEWER, {}, undefined, { authorization: 'Basic dXNlcjpwdw==' });
    expect(malformed.status).toBe(401);
    expect(malformed.body.errors[0].message).toMatch(/Bearer/);

    const { body } = await create(noc.token, { name: 'short-lived', scope: 'READ' });
    const { secret, token } = body.data.createToken;
    await database.query(
      `UPDATE auth_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1`,
      [token.id],
    );
    const expired = await t.gql(VIEWER, {}, secret);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].message).toBe('This token has expired');

    const second = (await create(noc.token, { name: 'to revoke', scope: 'READ' })).body.data.createToken;
    const revoked = await t.gql(REVOKE, { id: second.token.id }, noc.token);
    expect(revoked.body.data.revokeToken.token.revokedAt).toBeTruthy();
    const again = await t.gql(REVOKE, { id: second.token.id }, noc.token);
    expect(again.body.data.revokeToken.token.revokedAt).toBe(revoked.body.data.revokeToken.token.revokedAt);
    const used = await t.gql(VIEWER, {}, second.secret);
    expect(used.status).toBe(401);
    expect(used.body.errors[0].message).toBe('This token has been revoked');
    expect(t.crashes()).toEqual([]);
  });

  it('lets staff create script tokens with their own roles only', async () => {
    const ok = (await create(noc.token, { name: 'nightly sync', scope: 'WRITE', scriptRoles: ['NOC'] })).body
      .data.createToken;
    expect(ok.token).toMatchObject({ scriptRoles: ['NOC'], scope: 'WRITE' });
    expect(ok.token.principal).toMatch(/^script:/);
    const me = await t.gql(VIEWER, {}, ok.secret);
    expect(me.body.data.viewer).toMatchObject({ kind: 'SCRIPT', name: 'nightly sync', staffRoles: ['NOC'] });

    const beyond = (await create(noc.token, { name: 'x', scope: 'WRITE', scriptRoles: ['ADMIN'] })).body.data
      .createToken;
    expect(beyond).toMatchObject({ __typename: 'PolicyRefusalError', code: 'POLICY_REFUSAL' });
    const byAdmin = (await create(admin.token, { name: 'y', scope: 'READ', scriptRoles: ['DESK', 'NOC'] }))
      .body.data.createToken;
    expect(byAdmin.token.scriptRoles.sort()).toEqual(['DESK', 'NOC']);
    // A script cannot mint further tokens.
    const fromScript = await create(ok.secret, { name: 'z', scope: 'READ' });
    expect(fromScript.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('returns typed validation errors with field paths and writes nothing', async () => {
    const before = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_tokens');
    const empty = (await create(noc.token, { name: '  ', scope: 'READ' })).body.data.createToken;
    expect(empty).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    expect(empty.issues[0].path).toEqual(['input', 'name']);
    const far = (await create(noc.token, { name: 'far', scope: 'READ', expiresAt: '2099-01-01T00:00:00Z' }))
      .body.data.createToken;
    expect(far.issues[0].path).toEqual(['input', 'expiresAt']);
    const past = (await create(noc.token, { name: 'past', scope: 'READ', expiresAt: '2001-01-01T00:00:00Z' }))
      .body.data.createToken;
    expect(past.issues[0].message).toMatch(/future/);
    const badDate = await create(noc.token, { name: 'bad', scope: 'READ', expiresAt: 'next tuesday' });
    expect(badDate.status).toBeLessThan(500);
    expect(badDate.body.errors[0].message).toMatch(/RFC 3339/);
    const after = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_tokens');
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(t.crashes()).toEqual([]);
  });

  it('keeps tokens private to their owner, except for administrators', async () => {
    const mine = (await create(noc.token, { name: 'private', scope: 'READ' })).body.data.createToken;
    const stranger = await t.gql(REVOKE, { id: mine.token.id }, other.token);
    expect(stranger.body.data.revokeToken).toMatchObject({ __typename: 'NotFoundError' });
    const theirList = await t.gql('{ tokens { id } }', {}, other.token);
    expect(theirList.body.data.tokens.map((x: { id: string }) => x.id)).not.toContain(mine.token.id);
    const byAdmin = await t.gql(REVOKE, { id: mine.token.id }, admin.token);
    expect(byAdmin.body.data.revokeToken.token.revokedAt).toBeTruthy();
  });

  it('tells anonymous callers to authenticate', async () => {
    const anon = await create('', { name: 'x', scope: 'READ' });
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const me = await t.gql(VIEWER);
    expect(me.body.data.viewer.kind).toBe('ANONYMOUS');
  });
});
