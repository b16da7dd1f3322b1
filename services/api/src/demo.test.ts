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

      // Each line's demo data, once although the demo ran twice, made by the demo administrator.
      const pools = await t.gql(
        '{ pools(first: 10) { edges { node { prefix ripeStatus bogon mntBy } } } }',
        {},
        second.token,
      );
      expect(pools.body.data.pools.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { prefix: '193.48.0.0/16', ripeStatus: 'ALLOCATED PA', bogon: null, mntBy: ['GUICHET-DEMO-MNT'] },
        { prefix: '2001:660::/32', ripeStatus: 'ALLOCATED-BY-RIR', bogon: null, mntBy: ['GUICHET-DEMO-MNT'] },
      ]);
      const collectors = await t.gql('{ collectors { name sessions { name } } }', {}, second.token);
      expect(collectors.body.data.collectors.map((c: { name: string }) => c.name).sort()).toEqual([
        'AURA',
        'BRETAGNE',
        'IDF',
        'OCCITANIE',
      ]);
      for (const c of collectors.body.data.collectors) expect(c.sessions).toEqual([{ name: 'institutions' }]);
      const zones = await t.gql('{ parentZones { zone } }', {}, second.token);
      expect(zones.body.data.parentZones.map((z: { zone: string }) => z.zone).sort()).toEqual([
        '0.6.6.0.1.0.0.2.ip6.arpa',
        '48.193.in-addr.arpa',
      ]);
      const made = await database.query<{ actor: string }>(
        `SELECT DISTINCT actor FROM audit_changes WHERE action IN ('ipam.createPool', 'routing.createCollector', 'rdns.createParentZone')`,
      );
      expect(made).toEqual([{ actor: 'staff:demo' }]);
    } finally {
      await t.close();
      await database.close();
    }
  });
});
