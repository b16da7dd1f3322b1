import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './client.js';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * A backend that dies under a transaction or a reserved connection (what `pg_ctl stop -m
 * immediate` does to every connection at once). postgres.js 3.4.9 then wrote the transaction's
 * own ROLLBACK to a socket it had already dropped, from a timer: an uncaught TypeError ("Cannot
 * read properties of null (reading 'write')") that ended the api (issue #21). patches/
 * postgres@3.4.9.patch settles those writes as a connection error instead. Vitest fails a run
 * on any uncaught exception, so each test below failed before the patch.
 */
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('postgres.js under a dying backend', () => {
  let database: Database;
  let killer: postgres.Sql;
  let dbUrl: string;
  beforeAll(async () => {
    const name = `guichet_outage_${process.pid}`;
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(url!);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    database = await openDatabase({ url: dbUrl, migrate: false, max: 4 });
    killer = postgres(url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await database?.close();
    await killer?.unsafe(`DROP DATABASE IF EXISTS guichet_outage_${process.pid} WITH (FORCE)`);
    await killer?.end();
  });

  const kill = (pid: number) => killer`SELECT pg_terminate_backend(${pid})`;
  /** The error a promise fails with (undefined when it succeeds), handled from the start. */
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('fails a transaction whose backend is terminated with a connection error, and serves on', async () => {
    for (let round = 0; round < 5; round++) {
      let pid = 0;
      // The outcome is taken at once: the transaction may fail before `kill` answers, and a
      // rejection nobody has handled yet is an unhandled rejection to vitest.
      const outcome = settle(
        database.db.transaction(async (t) => {
          pid = ((await t.execute('SELECT pg_backend_pid() AS pid')) as unknown as { pid: number }[])[0]!.pid;
          await t.execute('SELECT pg_sleep(5)');
        }),
      );
      while (!pid) await new Promise((r) => setTimeout(r, 10));
      await kill(pid);
      const err = await outcome;
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
      // Give the driver's deferred writes their turn: this is where the process used to die.
      await new Promise((r) => setTimeout(r, 50));
      expect(await database.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    }
  });

  it('settles a query sent on a reserved connection whose backend died, and frees the connection', async () => {
    for (let round = 0; round < 3; round++) {
      let pid = 0;
      // execRows reserves a connection, and on failure sends ROLLBACK on it before releasing it.
      const outcome = settle(database.execRows('SELECT pg_backend_pid() AS pid; SELECT pg_sleep(5)'));
      for (let i = 0; i < 200 && !pid; i++) {
        const [row] = await killer<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_backend_pid() AS pid; SELECT pg_sleep(5)'`;
        pid = row?.pid ?? 0;
        if (!pid) await new Promise((r) => setTimeout(r, 20));
      }
      expect(pid).toBeGreaterThan(0);
      await kill(pid);
      const err = await outcome;
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      // Every connection of the pool still answers (a released dead one used to hang forever).
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          Promise.race([
            database.query<{ one: number }>('SELECT 1 AS one').then(() => 'ok'),
            new Promise((r) => setTimeout(() => r('hung'), 5000)),
          ]),
        ),
      );
      expect(answers).toEqual(Array(8).fill('ok'));
    }
  });
});
