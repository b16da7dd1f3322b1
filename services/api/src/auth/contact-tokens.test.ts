import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, listContacts, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutionId, staffWithToken, testApp } from '../test-app.js';

const ISSUE = `mutation($input: IssueContactTokenInput!) { r: issueContactToken(input: $input) {
  __typename
  ... on IssueContactTokenPayload { secret token { id name scope principal createdBy expiresAt } }
  ... on Error { code message } ... on PolicyRefusalError { rule } } }`;
const REVOKE = `mutation($id: ID!) { r: revokeToken(id: $id) { __typename ... on Error { code } } }`;

describe(`a contact's first token, issued by the desk (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let desk: string;
  let admin: string;
  let tech: { id: string; name: string };
  let inst: string;

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database);
    desk = (await staffWithToken(database, 'olivier', ['desk'])).token;
    admin = (await staffWithToken(database, 'alain', ['admin'])).token;
    inst = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    const [c] = await listContacts(database.db, inst, 'technical');
    tech = { id: c!.id, name: c!.name };
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  const issue = (contactId = tech.id) =>
    t.gql(ISSUE, { input: { contactId, name: 'first token', scope: 'WRITE' } }, desk);

  it('gives a working token, shown once, logged with who issued it for whom; then the contact makes their own', async () => {
    const { body } = await issue();
    expect(body.data.r).toMatchObject({
      __typename: 'IssueContactTokenPayload',
      token: {
        name: 'first token',
        scope: 'WRITE',
        principal: `contact:${tech.id}`,
        createdBy: 'staff:olivier',
      },
    });
    const { secret, token } = body.data.r;
    const days = (Date.parse(token.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    const me = await t.gql('{ viewer { kind name scope } }', {}, secret);
    expect(me.body.data.viewer).toEqual({ kind: 'CONTACT', name: tech.name, scope: 'WRITE' });
    const own = await t.gql(
      `mutation { createToken(input: { name: "my script", scope: READ }) { __typename } }`,
      {},
      secret,
    );
    expect(own.body.data.createToken.__typename).toBe('CreateTokenPayload');

    const log = await database.query<{
      action: string;
      actor: string;
      institution_id: string;
      after: unknown;
    }>(`SELECT action, actor, institution_id, after FROM audit_changes WHERE object_id = $1`, [token.id]);
    expect(log).toMatchObject([
      { action: 'auth.issueContactToken', actor: 'staff:olivier', institution_id: inst },
    ]);
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(JSON.stringify(log)).not.toContain('"hash"');
  });

  it('refuses a second one while the contact holds a working token; after revocation the desk may issue again', async () => {
    const again = await issue();
    expect(again.body.data.r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'contact-has-token' });
    const held = await database.query<{ id: string }>(
      `SELECT id FROM auth_tokens WHERE principal_id = $1 AND revoked_at IS NULL`,
      [tech.id],
    );
    // The first token and the one the contact made: an administrator revokes both.
    expect(held).toHaveLength(2);
    for (const { id } of held) {
      expect((await t.gql(REVOKE, { id }, admin)).body.data.r.__typename).toBe('RevokeTokenPayload');
    }
    const fresh = await issue();
    expect(fresh.body.data.r.__typename).toBe('IssueContactTokenPayload');
    // What the desk issued, the desk may revoke.
    const revoked = await t.gql(REVOKE, { id: fresh.body.data.r.token.id }, desk);
    expect(revoked.body.data.r.__typename).toBe('RevokeTokenPayload');
  });

  it('issues exactly one token when desks race for the same contact', async () => {
    const [c] = await listContacts(database.db, inst, 'security');
    const results = await Promise.all(Array.from({ length: 6 }, () => issue(c!.id)));
    const kinds = results.map((r) => r.body.data.r.__typename).sort();
    expect(kinds.filter((k) => k === 'IssueContactTokenPayload')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'PolicyRefusalError')).toHaveLength(5);
    const rows = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM auth_tokens WHERE principal_id = $1`,
      [c!.id],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('does not know a contact that does not exist', async () => {
    const { body } = await issue('00000000-0000-4000-8000-000000000000');
    expect(body.data.r).toMatchObject({ __typename: 'NotFoundError' });
  });
});
