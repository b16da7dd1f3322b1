import { randomBytes } from 'node:crypto';
import { ConflictError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareCircuit, device, institution, noc, refusal } from '../test/world.js';
import { parseMultirange } from '../vlans.js';
import { setVlanRanges, updatePort } from './inventory/index.js';
import { allocateVlan, freeVlans, vlanMap } from './vlan-alloc.js';

/**
 * VLAN allocation against PostgreSQL (PGlite by default, a server with TEST_DATABASE_URL — then
 * through a pool of 25 connections, so the concurrent test really is concurrent).
 */
const serverUrl = process.env.TEST_DATABASE_URL;

async function openWide(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (!serverUrl) {
    const database = await freshDatabase();
    return { database, drop: () => database.close() };
  }
  const name = `guichet_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), max: 25 });
  return {
    database,
    drop: async () => {
      await database.close();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

describe(`VLAN allocation on ${serverUrl ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let drop: () => Promise<void>;
  let circuitId: string;
  let d: Awaited<ReturnType<typeof device>>;
  beforeAll(async () => {
    ({ database, drop } = await openWide());
    const inst = await institution(database.db);
    circuitId = (await bareCircuit(database.db, inst.id)).id;
    d = await device(database.db);
  });
  afterAll(async () => {
    await drop?.();
  });

  /** The maintained free list is exactly the ranges minus the VIDs held. */
  const freeListExact = async (portId: string) => {
    const [row] = await database.query<{ free: string }>(
      'SELECT vlan_free::text AS free FROM circuits_ports WHERE id = $1',
      [portId],
    );
    expect(parseMultirange(row!.free)).toEqual((await vlanMap(database.db, portId))!.free);
  };

  const alloc = (portId: string, over: Partial<Parameters<typeof allocateVlan>[1]> = {}) =>
    database.db.transaction((tx) => allocateVlan(tx, { portId, circuitId, ...over }));

  it('takes the lowest free VID across several ranges, and refuses when they are used up', async () => {
    const p = await d.port({
      vlanRanges: [
        { from: 10, to: 11 },
        { from: 20, to: 20 },
      ],
    });
    expect((await alloc(p.id)).vid).toBe(10);
    expect((await alloc(p.id, { vid: 20 })).vid).toBe(20);
    expect((await alloc(p.id)).vid).toBe(11);
    const e = await refusal(alloc(p.id));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect((e as PolicyRefusalError).rule).toBe('circuits.vlan-exhausted');
    const map = await vlanMap(database.db, p.id);
    expect(map?.used.map((u) => u.vid)).toEqual([10, 11, 20]);
    expect(map?.free).toEqual([]);
    await freeListExact(p.id);
    // Freed VIDs go back to the free list, and are taken again lowest first.
    await database.db.transaction((tx) => freeVlans(tx, circuitId));
    await freeListExact(p.id);
    expect((await alloc(p.id)).vid).toBe(10);
  });

  it('honours a range hint inside the scope, and an explicit VID only inside the ranges', async () => {
    const p = await d.port({ vlanRanges: [{ from: 100, to: 199 }] });
    expect((await alloc(p.id, { within: [{ from: 150, to: 160 }] })).vid).toBe(150);
    expect((await refusal(alloc(p.id, { vid: 300 }))) as PolicyRefusalError).toMatchObject({
      rule: 'circuits.vid-outside-ranges',
    });
    expect(await refusal(alloc(p.id, { vid: 150 }))).toBeInstanceOf(ConflictError);
    for (const vid of [0, 4095]) expect(await refusal(alloc(p.id, { vid }))).toBeInstanceOf(ValidationError);
    // A hint outside the scope leaves nothing to take.
    expect(
      (await refusal(alloc(p.id, { within: [{ from: 1, to: 50 }] }))) as PolicyRefusalError,
    ).toMatchObject({
      rule: 'circuits.vlan-exhausted',
    });
  });

  it('keeps QinQ C-VLAN sets unique per S-VLAN', async () => {
    const p = await d.port();
    const s = await alloc(p.id, { cvlans: [30, 10, 20] });
    const map = await vlanMap(database.db, p.id);
    expect(map?.used.find((u) => u.vid === s.vid)?.cvlans).toEqual([10, 20, 30]);
    expect(await refusal(alloc(p.id, { cvlans: [5, 5] }))).toBeInstanceOf(ValidationError);
    // Nothing of the refused allocation stayed.
    expect((await vlanMap(database.db, p.id))?.used).toHaveLength(1);
    await expect(
      database.query('INSERT INTO circuits_cvlans (vlan_id, cvid) VALUES ($1, 10)', [s.id]),
    ).rejects.toThrow(/circuits_cvlans_key/);
  });

  it('a dedicated port holds no VLAN, and a port holding VLANs cannot become dedicated', async () => {
    const dp = await d.port({ mode: 'dedicated', vlanRanges: [] });
    expect((await refusal(alloc(dp.id))) as PolicyRefusalError).toMatchObject({ rule: 'circuits.port-mode' });
    await expect(
      database.query(
        `INSERT INTO circuits_vlans (port_id, port_mode, vid, circuit_id) VALUES ($1, 'shared', 5, $2)`,
        [dp.id, circuitId],
      ),
    ).rejects.toThrow(/circuits_vlans_port_mode_fkey/);
    const sp = await d.port();
    await alloc(sp.id);
    await setVlanRanges(database.db, noc(), { portId: sp.id, ranges: [] }).catch(() => undefined);
    const e = await refusal(updatePort(database.db, noc(), { portId: sp.id, mode: 'dedicated' }));
    expect(e).toBeInstanceOf(PolicyRefusalError);
  });

  it('refuses to shrink ranges under VIDs in use', async () => {
    const p = await d.port({ vlanRanges: [{ from: 100, to: 199 }] });
    await alloc(p.id, { vid: 180 });
    const e = await refusal(
      setVlanRanges(database.db, noc(), { portId: p.id, ranges: [{ from: 100, to: 150 }] }),
    );
    expect(e).toMatchObject({ rule: 'circuits.inventory-in-use' });
    await setVlanRanges(database.db, noc(), {
      portId: p.id,
      ranges: [
        { from: 100, to: 150 },
        { from: 170, to: 190 },
      ],
    });
    await freeListExact(p.id);
    expect((await vlanMap(database.db, p.id))?.ranges).toEqual([
      { from: 100, to: 150 },
      { from: 170, to: 190 },
    ]);
  });

  it('100 concurrent allocations in one scope: 100 distinct VIDs, no duplicate, no error', async () => {
    const p = await d.port({
      vlanRanges: [
        { from: 1, to: 60 },
        { from: 3000, to: 3100 },
      ],
    });
    const other = await d.port({ vlanRanges: [{ from: 1, to: 60 }] });
    const results = await Promise.allSettled([
      ...Array.from({ length: 100 }, () => alloc(p.id)),
      // Another scope at the same time: not serialised behind the first, same VIDs allowed.
      ...Array.from({ length: 20 }, () => alloc(other.id)),
    ]);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(errors).toEqual([]);
    const vids = results.slice(0, 100).map((r) => (r as PromiseFulfilledResult<{ vid: number }>).value.vid);
    expect(new Set(vids).size).toBe(100);
    const [dup] = await database.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM (SELECT port_id, vid FROM circuits_vlans GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    expect(dup?.n).toBe('0');
    // Lowest first: the 60 of the first range, then 3000–3039.
    expect([...vids].sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 60 }, (_, i) => i + 1),
      ...Array.from({ length: 40 }, (_, i) => 3000 + i),
    ]);
    expect((await vlanMap(database.db, other.id))?.used).toHaveLength(20);
    await freeListExact(p.id);
    await freeListExact(other.id);
  });
});
