import { type ChildProcess, spawn } from 'node:child_process';
import { type PostgresCluster, startPostgresCluster } from '@guichet/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, delay, ROOT, startApi } from '../e2e/harness.js';
import { INVARIANTS } from './invariants.js';

/**
 * The fault test of issue #21: the api and the worker, as processes, on a PostgreSQL cluster of
 * their own, under a bounded write load (contacts filing requests, the NOC reserving space), the
 * cluster stopped with `pg_ctl stop -m immediate` — a crash, as clients see it — and started
 * again, STOPS times. It must end with:
 *  - neither process gone (the api used to die of postgres.js writing to a dropped socket);
 *  - during each outage, authenticated calls answered 503 with Retry-After and a plain
 *    message, no SQL in any body, /readyz answering 503 within its own deadline, no request
 *    held longer than the connect timeout;
 *  - service back within seconds of the database;
 *  - every write that was acknowledged present, and the invariants (every request with its
 *    event, ticket and change-log row; no duplicate ticket or notification; pool counters equal
 *    to the rows) holding.
 * It prints the figures. Runs in the PostgreSQL pass of `pnpm test:all` (it brings its own
 * cluster, so the PGlite pass skips it).
 */

const STOPS = 5;
const HEALTHY_MS = 2500;
const OUTAGE_MS = 2500;
const LOOPS = 4;
// A request waits at most for one connection attempt, or two when it queued behind a pool
// whose connections were all still trying: the bound below (postgres.js alone: 20 s of backoff).
const CONNECT_TIMEOUT_S = 3;
const CADENCE_MS = 220; // per loop: ~18 writes/s in all, as in the probe
const SQL_IN_BODY =
  /Failed query|\bselect\b[\s\S]*\bfrom\b|\binsert into\b|\bupdate\b[\s\S]*\bset\b|auth_tokens|workflow_requests|ipam_/i;

interface Answer {
  op: string;
  status: number;
  ms: number;
  body: string;
  retryAfter?: string | null;
  id?: string;
  at: number;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('fault: the database stops under load', () => {
  let cluster: PostgresCluster;
  let api: ApiProcess;
  let worker: { proc: ChildProcess; exits: number; out: () => string; stop: () => Promise<void> };
  let dbUrl: string;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin`CREATE DATABASE guichet`;
    await admin.end();
    dbUrl = cluster.url.replace(/\/postgres$/, '/guichet');
    api = await startApi({
      DATABASE_URL: dbUrl,
      DEMO: 'true',
      JOBS_IN_PROCESS: 'false',
      FEDERATION_TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '100000',
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_S),
      LOG_LEVEL: 'warn',
    });
    worker = startWorker(dbUrl);
    // A worker that cannot reach the database while it starts exits for its supervisor to
    // restart it; what is tested here is surviving outages once running.
    const ready = Date.now() + 90_000;
    while (!worker.out().includes('job workers started')) {
      if (worker.exits || Date.now() > ready) throw new Error(`worker did not start:\n${worker.out()}`);
      await delay(100);
    }
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    cluster?.remove();
  });

  it(`survives ${STOPS} immediate stops with no exit, 503s without SQL, and intact data`, async () => {
    const call = async (
      op: string,
      query: string,
      variables: Record<string, unknown>,
      who: Record<string, string>,
    ) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...who },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        return {
          op,
          status: res.status,
          ms: performance.now() - t0,
          body,
          retryAfter: res.headers.get('retry-after'),
          at: Date.now(),
        };
      } catch (e) {
        return { op, status: 0, ms: performance.now() - t0, body: String(e), at: Date.now() };
      }
    };
    const admin = { authorization: `Bearer ${api.token}` };
    const setup = await call(
      'setup',
      `{ institutions(first: 10) { edges { node { id contacts { eppn roles } } } } }`,
      {},
      admin,
    );
    const institutions = JSON.parse(setup.body).data.institutions.edges.map(
      (e: { node: { id: string; contacts: { eppn: string; roles: string[] }[] } }) => ({
        id: e.node.id,
        eppn: e.node.contacts.find((c) => c.roles.includes('TECHNICAL'))!.eppn,
      }),
    );
    const pool = await call(
      'setup',
      'mutation { r: createPool(input: { name: "Fault", prefix: "2001:db8::/32", ripeStatus: "ALLOCATED-BY-RIR", purpose: "fault test", acceptBogon: true, mntBy: ["TEST-MNT"], adminC: ["NOC1-RIPE"], techC: ["NOC1-RIPE"] }) { ... on CreatePoolPayload { pool { id } } ... on Error { message } } }',
      {},
      admin,
    );
    const poolId: string | undefined = JSON.parse(pool.body).data?.r?.pool?.id;
    expect(poolId, pool.body).toBeTruthy();

    const answers: Answer[] = [];
    const reservations: string[] = [];
    let seq = 0;
    let running = true;
    const loop = async (n: number) => {
      while (running) {
        const i = seq++;
        let a: Answer;
        if (i % 2 === 0) {
          const inst = institutions[i % institutions.length];
          a = await call(
            'file',
            'mutation($i: ID!, $n: String!, $e: String!) { r: requestContactChange(input: { institutionId: $i, action: ADD, name: $n, email: $e, roles: [SERVICE] }) { __typename ... on RequestContactChangePayload { request { id } } ... on Error { code } } }',
            { i: inst.id, n: `Fault ${i}`, e: `fault${i}@example.fr` },
            { eppn: inst.eppn },
          );
          a.id = idIn(a.body, 'request');
        } else if (i % 10 === 1 && reservations.length) {
          a = await call(
            'release',
            'mutation($id: ID!) { r: releaseReservation(id: $id) { __typename ... on ReleaseReservationPayload { reservation { id } } } }',
            { id: reservations.shift() },
            admin,
          );
          a.id = idIn(a.body, 'reservation');
        } else {
          a = await call(
            'reserve',
            'mutation($p: ID!) { r: reservePrefix(input: { poolId: $p, length: 56, reason: "fault test" }) { __typename ... on ReservePrefixPayload { reservation { id } } ... on Error { code } } }',
            { p: poolId },
            admin,
          );
          a.id = idIn(a.body, 'reservation');
          if (a.id) reservations.push(a.id);
        }
        answers.push(a);
        await delay(Math.max(0, CADENCE_MS - a.ms) + n);
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));

    const outages: { from: number; to: number }[] = [];
    const readyz: { status: number; ms: number }[] = [];
    const recovery: number[] = [];
    for (let stop = 0; stop < STOPS; stop++) {
      await delay(HEALTHY_MS);
      const from = Date.now();
      cluster.stop('immediate');
      await delay(OUTAGE_MS / 2);
      const t0 = performance.now();
      const probe = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      readyz.push({ status: probe.status, ms: performance.now() - t0 });
      await delay(OUTAGE_MS / 2);
      cluster.start();
      const back = performance.now();
      outages.push({ from, to: Date.now() });
      // Back when an authenticated call that reads the database succeeds again.
      for (;;) {
        const r = await call('probe', '{ tokens { id } }', {}, admin);
        if (r.status === 200 && !JSON.parse(r.body).errors) break;
        if (performance.now() - back > 30_000)
          throw new Error(`not back 30 s after the restart: ${r.status} ${r.body}`);
        await delay(100);
      }
      recovery.push((performance.now() - back) / 1000);
    }
    await delay(HEALTHY_MS);
    running = false;
    await Promise.all(loops);

    // What the clients saw.
    const during = (a: Answer) => outages.some((o) => a.at >= o.from && a.at <= o.to + 500);
    const unavailable = answers.filter((a) => a.status === 503);
    const withSql = answers.filter((a) => SQL_IN_BODY.test(a.body));
    const bad503 = unavailable.filter((a) => a.retryAfter !== '5' || !/database is unavailable/.test(a.body));
    const crashes = answers.filter((a) => a.status === 0 || (a.status >= 500 && a.status !== 503));
    const internal = answers.filter((a) => /"INTERNAL"/.test(a.body));
    const slowest = Math.max(...answers.map((a) => a.ms));
    const ok = answers.filter((a) => a.status === 200 && a.id);

    // What the database holds, once the worker has caught up.
    await delay(3000);
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const problems: string[] = [];
    for (const [name, query] of Object.entries(INVARIANTS)) {
      const rows = await sql.unsafe(query);
      if (rows.length) problems.push(`${name}: ${JSON.stringify(rows.slice(0, 3))}`);
    }
    const acknowledged = {
      requests: ok.filter((a) => a.op === 'file').map((a) => a.id!),
      reservations: ok.filter((a) => a.op === 'reserve').map((a) => a.id!),
    };
    const [lost] = await sql<{ requests: number; reservations: number }[]>`
      SELECT (SELECT count(*) FROM unnest(${acknowledged.requests}::uuid[]) id
               WHERE NOT EXISTS (SELECT 1 FROM workflow_requests r WHERE r.id = id))::int AS requests,
             (SELECT count(*) FROM unnest(${acknowledged.reservations}::uuid[]) id
               WHERE NOT EXISTS (SELECT 1 FROM ipam_reservations r WHERE r.id = id))::int AS reservations`;
    await sql.end();

    // The last-resort handlers keep the api up whatever happens; they must not have been needed.
    const stray = api.logLines().filter((l) => /kept serving/.test(String(l.msg)));
    const strayErrors = stray.filter((l) => l.level >= 50);
    const median = [...recovery].sort((a, b) => a - b)[Math.floor(recovery.length / 2)]!;
    console.log(
      [
        `fault test: ${STOPS} immediate stops survived: api ${api.exited() ? 'EXITED' : 'up'}, worker ${worker.exits ? `exited ${worker.exits}×` : 'up'}`,
        `  requests: ${answers.length} (${ok.length} acknowledged writes, ${answers.filter(during).length} during outages)`,
        `  503 with Retry-After: ${unavailable.length}; bodies with SQL: ${withSql.length}; other 5xx or no answer: ${crashes.length}; INTERNAL: ${internal.length}`,
        `  /readyz during outages: ${readyz.map((r) => `${r.status} in ${r.ms.toFixed(0)} ms`).join(', ')}`,
        `  recovery after restart: ${recovery.map((s) => s.toFixed(2)).join(', ')} s (median ${median.toFixed(2)} s)`,
        `  slowest answer: ${(slowest / 1000).toFixed(2)} s (${slow(answers, outages)})`,
        `  stray exceptions caught by the last-resort handler: ${strayErrors.length} (database-unavailable rejections: ${stray.length - strayErrors.length})`,
        `  acknowledged writes lost: ${lost!.requests + lost!.reservations}; invariant problems: ${problems.length}`,
      ].join('\n'),
    );

    expect(api.exited(), 'the api process exited').toBe(false);
    expect(worker.exits, `the worker exited:\n${worker.out().slice(-2000)}`).toBe(0);
    expect(unavailable.length, 'no 503 during the outages').toBeGreaterThan(0);
    expect(withSql.map((a) => a.body.slice(0, 200))).toEqual([]);
    expect(bad503.map((a) => a.body.slice(0, 200))).toEqual([]);
    expect(crashes.map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
    expect(internal.map((a) => a.body.slice(0, 200))).toEqual([]);
    expect(
      readyz.every((r) => r.status === 503 && r.ms < 3000),
      JSON.stringify(readyz),
    ).toBe(true);
    expect(strayErrors.map((l) => JSON.stringify(l).slice(0, 300))).toEqual([]);
    expect(slowest, 'a request hung').toBeLessThan((2 * CONNECT_TIMEOUT_S + 2) * 1000);
    expect(Math.max(...recovery), 'recovery seconds').toBeLessThan(3);
    expect(lost).toEqual({ requests: 0, reservations: 0 });
    expect(problems).toEqual([]);
    expect(ok.length).toBeGreaterThan(50);
  }, 110_000);
});

/** The slowest answers, with when they started relative to the nearest stop (for the log). */
function slow(answers: Answer[], outages: { from: number; to: number }[]): string {
  return [...answers]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((a) => {
      const start = a.at - a.ms;
      const o = outages.reduce((best, x) =>
        Math.abs(x.from - start) < Math.abs(best.from - start) ? x : best,
      );
      return `${a.op} ${a.status} ${(a.ms / 1000).toFixed(2)} s, sent ${((start - o.from) / 1000).toFixed(2)} s after a stop (restart at +${((o.to - o.from) / 1000).toFixed(2)} s)`;
    })
    .join('; ');
}

function idIn(body: string, key: string): string | undefined {
  try {
    return JSON.parse(body)?.data?.r?.[key]?.id;
  } catch {
    return undefined;
  }
}

/** The worker as `pnpm worker` runs it, in its own process group; exits are counted. */
function startWorker(databaseUrl: string) {
  const base = Object.fromEntries(
    ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  const proc = spawn(`${ROOT}/node_modules/.bin/tsx`, ['services/worker/src/main.ts'], {
    cwd: ROOT,
    env: { ...base, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const w = {
    proc,
    exits: 0,
    out: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        stopping = true;
        try {
          process.kill(-proc.pid!, 'SIGTERM');
        } catch {}
        await Promise.race([new Promise((r) => proc.once('exit', r)), delay(5000)]);
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {}
      }
    },
  };
  let stopping = false;
  proc.once('exit', () => {
    if (!stopping) w.exits++;
  });
  return w;
}
