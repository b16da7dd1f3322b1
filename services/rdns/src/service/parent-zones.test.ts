import { auditChanges } from '@guichet/audit';
import { type Actor, newId, newRequestContext, type RequestContext, type StaffRole } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentZones } from '../tables.js';
import { type CreateParentZoneInput, createParentZone, listParentZones } from './parent-zones.js';

const staff = (roles: StaffRole[], scope: 'read' | 'write' = 'write'): RequestContext =>
  newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username: roles.join('-') || 'nobody',
      displayName: 'Staff',
      roles,
      credential: { method: 'session', scope },
    },
  });
const contact: Actor = {
  kind: 'contact',
  id: newId(),
  displayName: 'Tech',
  institutionId: newId(),
  roles: ['technical'],
  credential: { method: 'token', scope: 'write' },
};
const SERVER = {
  serverAddress: '127.0.0.1',
  mname: 'ns.nren.example',
  rname: 'hostmaster.nren.example',
  nameservers: ['ns.nren.example', 'ns2.nren.example'],
};
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe(`parent zones on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  const noc = staff(['noc']);
  const create = (input: Partial<CreateParentZoneInput>, ctx = noc) =>
    createParentZone(database.db, ctx, { prefix: '193.48.0.0/16', ...SERVER, ...input });
  const count = async () => (await database.db.select().from(parentZones)).length;
  const changesOf = (id: string) =>
    database.db.select().from(auditChanges).where(eq(auditChanges.objectId, id));

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('the NOC declares an IPv4 /16: the zone name is derived, the port defaults to 53, the change is logged', async () => {
    const row = await create({
      prefix: '193.48.0.0/16',
      nameservers: ['NS.nren.example.', 'ns2.nren.example'],
    });
    expect(row).toMatchObject({
      zone: '48.193.in-addr.arpa',
      prefix: '193.48.0.0/16',
      serverPort: 53,
      mname: 'ns.nren.example',
      rname: 'hostmaster.nren.example',
      nameservers: ['ns.nren.example', 'ns2.nren.example'],
    });
    const log = await changesOf(row.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      action: 'rdns.createParentZone',
      objectType: 'ParentZone',
      actor: 'staff:noc',
      requestId: noc.requestId,
      before: null,
    });
    expect(log[0]!.after).toMatchObject({ id: row.id, zone: '48.193.in-addr.arpa' });
  });

  it('declares an IPv6 /32 (nibble zone) on another port; a nested /24 is allowed too', async () => {
    const v6 = await create({ prefix: '2001:660::/32', serverAddress: '::1', serverPort: 5353 });
    expect(v6).toMatchObject({ zone: '0.6.6.0.1.0.0.2.ip6.arpa', prefix: '2001:660::/32', serverPort: 5353 });
    const nested = await create({ prefix: '193.48.7.0/24' });
    expect(nested.zone).toBe('7.48.193.in-addr.arpa');
    expect((await listParentZones(database.db)).map((z) => z.zone)).toEqual([
      '48.193.in-addr.arpa',
      '7.48.193.in-addr.arpa',
      '0.6.6.0.1.0.0.2.ip6.arpa',
    ]);
  });

  it('refuses a /20 (not one whole zone) at input.prefix, saying which lengths are allowed', async () => {
    const before = await count();
    const e = await refusal(create({ prefix: '193.49.0.0/20' }));
    expect(e).toMatchObject({ code: 'VALIDATION' });
    const issues = (e as { issues: { path: unknown[]; message: string }[] }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(['input', 'prefix']);
    expect(issues[0]!.message).toMatch(/16 zones.*\/8, \/16 or \/24/);
    const v6 = await refusal(create({ prefix: '2001:db8::/30' }));
    expect((v6 as { issues: { path: unknown[]; message: string }[] }).issues[0]).toMatchObject({
      path: ['input', 'prefix'],
      message: expect.stringMatching(/nibble boundary/),
    });
    expect(await count()).toBe(before);
  });

  it('reports every bad field at once, with its path', async () => {
    const e = await refusal(
      create({
        prefix: '193.50.0.0/16',
        serverAddress: '999.1.1.1',
        serverPort: 70000,
        rname: 'hostmaster@nren.example',
        nameservers: ['ns.nren.example', 'NS.nren.example', 'bad_name.example'],
      }),
    );
    expect(e).toMatchObject({ code: 'VALIDATION' });
    expect((e as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toEqual([
      ['input', 'serverAddress'],
      ['input', 'serverPort'],
      ['input', 'rname'],
      ['input', 'nameservers', 1],
      ['input', 'nameservers', 2],
    ]);
    const none = await refusal(create({ prefix: '193.50.0.0/16', nameservers: [] }));
    expect((none as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toEqual([
      ['input', 'nameservers'],
    ]);
  });

  it('the same zone twice is a CONFLICT and writes nothing, not even a change-log row', async () => {
    const zones = await count();
    const changes = (await database.db.select().from(auditChanges)).length;
    const e = await refusal(create({ prefix: '193.48.0.0/16', serverAddress: '192.0.2.53' }));
    expect(e).toMatchObject({ code: 'CONFLICT' });
    expect((e as Error).message).toContain('48.193.in-addr.arpa');
    expect(await count()).toBe(zones);
    expect((await database.db.select().from(auditChanges)).length).toBe(changes);
  });

  it('within a caller’s transaction, a conflict leaves that transaction usable', async () => {
    const zone = await database.db.transaction(async (tx) => {
      const e = await refusal(createParentZone(tx, noc, { prefix: '193.48.0.0/16', ...SERVER }));
      expect(e).toMatchObject({ code: 'CONFLICT' });
      return (await createParentZone(tx, noc, { prefix: '10.0.0.0/8', ...SERVER })).zone;
    });
    expect(zone).toBe('10.in-addr.arpa');
  });

  it('only the NOC (or an admin) with a write credential may declare one', async () => {
    const before = await count();
    for (const ctx of [
      staff(['desk']),
      staff(['noc'], 'read'),
      staff(['admin'], 'read'),
      newRequestContext({ actor: contact }),
      newRequestContext(),
    ]) {
      expect(await refusal(create({ prefix: '193.51.0.0/16' }, ctx))).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await count()).toBe(before);
    const admin = await create({ prefix: '193.51.0.0/16' }, staff(['admin']));
    expect(admin.zone).toBe('51.193.in-addr.arpa');
  });
});
