import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, makeCast } from './authz/fixtures.js';
import { testApp } from './test-app.js';

/** `staffMembers`: the NOC console's assignee picker reads who holds a role; contacts get nothing. */
describe('staff directory', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  const Q = 'query($role: StaffRole) { staffMembers(role: $role) { id username displayName roles } }';

  it('lists the accounts holding the role, by name, with the id assignTicket takes', async () => {
    const res = await t.gql(Q, { role: 'NOC' }, cast.tokens.desk);
    const members = res.body.data.staffMembers as { id: string; username: string; roles: string[] }[];
    const names = members.map((m) => m.username);
    expect(names).toContain('matrix-noc');
    expect(names).not.toContain('matrix-desk');
    expect(members.every((m) => m.roles.includes('NOC'))).toBe(true);
    expect(members.find((m) => m.username === 'matrix-noc')?.id).toBe(
      cast.actors.noc!.kind === 'staff' ? cast.actors.noc!.id : '',
    );
    const all = await t.gql(Q, {}, cast.tokens.noc);
    expect((all.body.data.staffMembers as { username: string }[]).map((m) => m.username)).toEqual(
      expect.arrayContaining(['matrix-noc', 'matrix-desk', 'matrix-admin']),
    );
  });

  it("refuses an institution's contact", async () => {
    const res = await t.gql(Q, { role: 'NOC' }, cast.tokens.technical);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.body.data?.staffMembers ?? null).toBeNull();
  });
});
