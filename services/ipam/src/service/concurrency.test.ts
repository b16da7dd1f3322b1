import { randomBytes } from 'node:crypto';
import { PolicyRefusalError } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institution, noc, pool } from '../test/fixtures.js';
import { allocatePrefix } from './allocate.js';

/**
 * 200 concurrent allocations over 5 parents (Promise.all; on PostgreSQL through a pool of 25
 * connections, on PGlite they serialise): 0 overlaps, 0 unexpected errors, exactly the
 * expected number of typed no-space refusals, and counters that match the rows.
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

describe(`concurrent allocation on ${serverUrl ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ database, drop } = await openWide());
  });
  afterAll(async () => {
    await drop?.();
  });

  it('200 requests over 5 parents: no overlap, no unexpected error, exact no-space count', async () => {
    const inst = await institution(database.db);
    const parents = [
      { p: await pool(database.db, '192.0.2.0/24'), len: 28 },
      { p: await pool(database.db, '198.51.100.0/24', { strategy: 'first_fit' }), len: 28 },
      { p: await pool(database.db, '203.0.113.0/24', { strategy: 'last_fit' }), len: 28 },
      { p: await pool(database.db, '2001:db8:a0::/44'), len: 48 },
      { p: await pool(database.db, '2001:db8:b0::/44', { strategy: 'first_fit' }), len: 48 },
    ];
    // Supply: 16 per parent (80); demand: 40 per parent (200) → 120 no-space.
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => {
        const { p, len } = parents[i % parents.length]!;
        return allocatePrefix(database.db, noc(), {
          poolId: p.id,
          length: len,
          institutionId: inst.id,
          purpose: 'load',
          justification: 'concurrency test',
        });
      }),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const noSpace = errors.filter((e) => e instanceof PolicyRefusalError && e.rule === 'no-space');
    expect(errors.filter((e) => !noSpace.includes(e)).map(String)).toEqual([]);
    expect(ok.length).toBe(80);
    expect(noSpace.length).toBe(120);
    const overlaps = await database.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ipam_assignments a JOIN ipam_assignments b
         ON a.id < b.id AND a.prefix && b.prefix`,
    );
    expect(Number(overlaps[0]!.n)).toBe(0);
    // Free list and assignments never overlap, and together they tile each pool exactly.
    const crossed = await database.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ipam_assignments a, ipam_free_blocks f, ipam_free_expand(f.prefix, f.cut) b
        WHERE a.prefix && b`,
    );
    expect(Number(crossed[0]!.n)).toBe(0);
    const counters = await database.query<{ id: string; assignment_count: number; n: string }>(
      `SELECT p.id, p.assignment_count, (SELECT count(*) FROM ipam_assignments a WHERE a.pool_id = p.id)::text AS n
         FROM ipam_pools p`,
    );
    for (const c of counters) expect(Number(c.n)).toBe(c.assignment_count);
  }, 120_000);
});
