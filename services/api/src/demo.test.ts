import { freshDatabase } from '@guichet/testkit';
import { describe, expect, it } from 'vitest';
import { ensureDemo } from './demo.js';
import { testApp } from './test-app.js';

describe('demo mode', () => {
  it('gives a working admin token at each start, revokes the previous one, and logs both', async () => {
    const database = await freshDatabase();
    const t = await testApp(database);
    try {
      const first = await ensureDemo(t.env, new Date());
      const second = await ensureDemo(t.env, new Date());
      const me = await t.gql('{ viewer { kind name staffRoles } }', {}, second.token);
      expect(me.body.data.viewer).toEqual({
        kind: 'STAFF',
        name: 'Demo administrator',
        staffRoles: ['ADMIN', 'NOC', 'DESK'],
      });
      expect((await t.gql('{ viewer { kind } }', {}, first.token)).status).toBe(401);
      const institutions = await t.gql(
        '{ institutions(first: 10) { edges { node { kind } } } }',
        {},
        second.token,
      );
      const kinds = institutions.body.data.institutions.edges.map(
        (e: { node: { kind: string } }) => e.node.kind,
      );
      expect(new Set(kinds)).toEqual(new Set(['TUTELLE', 'CONTRAT']));
      const log = await database.query<{ action: string; actor: string }>(
        `SELECT action, actor FROM audit_changes WHERE object_type = 'ApiToken' ORDER BY id`,
      );
      expect(log).toEqual([
        { action: 'auth.createToken', actor: 'system:demo' },
        { action: 'auth.revokeToken', actor: 'system:demo' },
        { action: 'auth.createToken', actor: 'system:demo' },
      ]);
    } finally {
      await t.close();
      await database.close();
    }
  });
});
