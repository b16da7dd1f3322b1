import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, freeBlocks, pools } from '../tables.js';
import { institution, ipamEnv, noc, pool, RPSL, refusal } from '../test/fixtures.js';
import { allocatePrefix } from './allocate.js';
import {
  freeAssignment,
  quarantineAssignment,
  releaseReservation,
  reservePrefix,
  returnAssignment,
} from './lifecycle.js';
import { createPool, retirePool, updatePool } from './pools.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe(`pools: creation rules, mending, retirement on ${engine}`, () => {
  let database: Database;
  let inst: { id: string; siteId: string };
  beforeAll(async () => {
    database = await freshDatabase();
    inst = await institution(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const changes = async (objectId: string) =>
    database.query<{ action: string }>('SELECT action FROM audit_changes WHERE object_id = $1 ORDER BY id', [
      objectId,
    ]);
  const poolCount = async () => (await database.db.select().from(pools)).length;
  const give = (poolId: string, length: number) =>
    allocatePrefix(database.db, noc(), { poolId, length, institutionId: inst.id, purpose: 'campus' });

  it('refuses bogon space as a pool meant for assignment, unless accepted for a lab', async () => {
    const before = await poolCount();
    for (const [prefix, bogon] of [
      ['2001:db8::/32', '2001:db8::/32, documentation (RFC 3849)'],
      ['10.0.0.0/8', '10.0.0.0/8, private use (RFC 1918)'],
      ['192.0.0.0/16', '192.0.0.0/24, IETF protocol assignments (RFC 6890)'],
    ] as const) {
      const e = await refusal(
        createPool(database.db, noc(), {
          name: 'lab',
          prefix,
          status: prefix.includes(':') ? 'ALLOCATED-BY-RIR' : 'ALLOCATED PA',
          purpose: 'x',
          ...RPSL,
        }),
      );
      expect(e).toBeInstanceOf(PolicyRefusalError);
      expect(e).toMatchObject({ rule: 'bogon', message: expect.stringContaining(bogon.split(',')[0]!) });
    }
    expect(await poolCount()).toBe(before);
    const lab = await pool(database.db, '192.0.2.0/24', { name: 'lab' });
    expect(lab.prefix).toBe('192.0.2.0/24');
  });

  it('refuses a pool without mnt-by, admin-c or tech-c, naming them; a child inherits its parent’s', async () => {
    const before = await poolCount();
    const e = await refusal(
      createPool(database.db, noc(), {
        name: 'bare',
        prefix: '2001:678::/32',
        status: 'ALLOCATED-BY-RIR',
        purpose: 'x',
        adminC: ['NOC1-RIPE'],
      }),
    );
    expect(e).toMatchObject({
      rule: 'rpsl-mandatory',
      message: expect.stringContaining('pool bare: mnt-by, tech-c are mandatory'),
    });
    expect(await poolCount()).toBe(before);
    const root = await createPool(database.db, noc(), {
      name: 'root',
      prefix: '2001:678::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'x',
      ...RPSL,
    });
    const child = await createPool(database.db, noc(), {
      name: 'child',
      prefix: '2001:678:100::/40',
      parentId: root.id,
      status: 'ALLOCATED-BY-LIR',
      purpose: 'x',
      techC: ['OTHER-RIPE'],
    });
    expect(child).toMatchObject({
      mntBy: RPSL.mntBy,
      adminC: RPSL.adminC,
      techC: ['OTHER-RIPE'],
      country: 'FR',
    });
  });

  it('updatePool mends the defaults: new assignments take them, old ones keep theirs, all logged', async () => {
    const p = await createPool(database.db, noc(), {
      name: 'typo',
      prefix: '2001:67c::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'x',
      ...RPSL,
      mntBy: ['WRONG-MNT'],
    });
    const old = await give(p.id, 48);
    const after = await updatePool(database.db, noc(), { id: p.id, name: 'Lyon v6', mntBy: ['RIGHT-MNT'] });
    expect(after).toMatchObject({ name: 'Lyon v6', mntBy: ['RIGHT-MNT'], prefix: '2001:67c::/32' });
    expect((await give(p.id, 48)).mntBy).toEqual(['RIGHT-MNT']);
    const [kept] = await database.db.select().from(assignments).where(eq(assignments.id, old.id));
    expect(kept!.mntBy).toEqual(['WRONG-MNT']);
    expect((await changes(p.id)).map((c) => c.action)).toEqual(['ipam.createPool', 'ipam.updatePool']);
    const [row] = await database.query<{ before: { mntBy: string[] }; after: { mntBy: string[] } }>(
      `SELECT before, after FROM audit_changes WHERE object_id = $1 AND action = 'ipam.updatePool'`,
      [p.id],
    );
    expect([row!.before.mntBy, row!.after.mntBy]).toEqual([['WRONG-MNT'], ['RIGHT-MNT']]);
    const empty = await refusal(updatePool(database.db, noc(), { id: p.id, adminC: [] }));
    expect(empty).toBeInstanceOf(ValidationError);
    expect((empty as ValidationError).issues[0]?.path).toEqual(['input', 'adminC']);
  });

  it('retirePool refuses a pool holding anything; an empty one goes back to its parent, its prefix free again', async () => {
    const root = await createPool(database.db, noc(), {
      name: 'root v4',
      prefix: '193.54.0.0/16',
      status: 'ALLOCATED PA',
      purpose: 'x',
      ...RPSL,
    });
    const mkChild = () =>
      createPool(database.db, noc(), {
        name: 'wrong child',
        prefix: '193.54.16.0/20',
        parentId: root.id,
        status: 'SUB-ALLOCATED PA',
        purpose: 'x',
      });
    const child = await mkChild();
    const retire = (id: string) => retirePool(database.db, noc(), { id, reason: 'made by mistake' });
    expect(await refusal(retire(root.id))).toMatchObject({ rule: 'pool-has-children' });

    const a = await allocatePrefix(database.db, noc(), {
      poolId: child.id,
      length: 24,
      institutionId: inst.id,
      purpose: 'campus',
      justification: 'campus network',
    });
    expect(await refusal(retire(child.id))).toMatchObject({ rule: 'pool-in-use' });
    await returnAssignment(database.db, noc(), ipamEnv(database), a.id);
    expect(await refusal(retire(child.id))).toMatchObject({ rule: 'pool-in-use' });
    await quarantineAssignment(database.db, noc(), a.id);
    const later = { ...noc(), clock: { now: () => new Date(Date.now() + 60 * 86_400_000) } };
    await freeAssignment(database.db, later, a.id);
    const hold = await reservePrefix(database.db, noc(), { poolId: child.id, length: 24, reason: 'hold' });
    expect(await refusal(retire(child.id))).toMatchObject({ rule: 'pool-has-reservations' });
    await releaseReservation(database.db, noc(), hold.id);

    const retired = await retire(child.id);
    expect(retired).toMatchObject({ retiredReason: 'made by mistake' });
    expect(retired.retiredAt).toBeInstanceOf(Date);
    expect(await retire(child.id)).toMatchObject({ id: child.id }); // twice: nothing more
    expect((await changes(child.id)).map((c) => c.action)).toEqual(['ipam.createPool', 'ipam.retirePool']);
    // The parent has its whole /16 free again, in one block; the child's free list is gone.
    const [parent] = await database.db.select().from(pools).where(eq(pools.id, root.id));
    expect(parent!.usedUnits).toBe(0);
    const free = await database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, root.id));
    expect(free.map((b) => b.prefix)).toEqual(['193.54.0.0/16']);
    expect(await database.db.select().from(freeBlocks).where(eq(freeBlocks.poolId, child.id))).toEqual([]);
    // Nothing comes out of it any more, and the same prefix can be declared again, right.
    expect(await refusal(give(child.id, 24))).toMatchObject({ rule: 'pool-retired' });
    expect(await refusal(updatePool(database.db, noc(), { id: child.id, name: 'x' }))).toMatchObject({
      rule: 'pool-retired',
    });
    const again = await mkChild();
    expect(again.prefix).toBe('193.54.16.0/20');
    expect(await refusal(retire(root.id))).toMatchObject({ rule: 'pool-has-children' });
  });

  it('a retirement racing allocations: either it is refused, or no allocation lands after it', async () => {
    for (let round = 0; round < 5; round++) {
      const p = await createPool(database.db, noc(), {
        name: `race ${round}`,
        prefix: `2001:67${round}::/32`,
        status: 'ALLOCATED-BY-RIR',
        purpose: 'x',
        ...RPSL,
      });
      const results = await Promise.allSettled([
        give(p.id, 48),
        retirePool(database.db, noc(), { id: p.id, reason: 'race' }),
        give(p.id, 48),
        give(p.id, 48),
      ]);
      const [row] = await database.db.select().from(pools).where(eq(pools.id, p.id));
      const held = await database.db.select().from(assignments).where(eq(assignments.poolId, p.id));
      const retireResult = results[1]!;
      if (retireResult.status === 'fulfilled') {
        expect(row!.retiredAt).not.toBeNull();
        expect(held).toEqual([]);
      } else {
        expect(retireResult.reason).toMatchObject({ rule: 'pool-in-use' });
        expect(row!.retiredAt).toBeNull();
        expect(held.length).toBeGreaterThan(0);
      }
      for (const r of [results[0]!, results[2]!, results[3]!]) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ rule: 'pool-retired' });
      }
    }
  });
});
