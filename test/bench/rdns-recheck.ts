import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import type { Checker, RecheckSummary } from '@guichet/rdns';
import type { Knot } from '@guichet/testkit';
import { createEnv } from '@guichet/workflow';
import { childEntry, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { benchZones, int, NS, seedDelegations, serveZones } from './rdns-fixture.js';
import { fmt, loadProbe, mb, median, memorySampler, pct, table } from './util.js';

/*
 * Section "rdns-recheck" of `pnpm bench` (issue 5): the periodic re-check of 10,000 delegated
 * zones, throughput under bounded concurrency.
 *
 * Two Knot instances serve the same 10,000 /48 nibble zones, and Knot's load time for them is
 * measured against one zone's (rdns-fixture.ts). A throwaway database (PostgreSQL when one
 * answers, else PGlite; child-db.ts) holds one institution, one assignment and 10,000 published
 * rdns_delegations, inserted by bulk SQL. The real checker (makeChecker, 2 s timeout) is
 * installed, and:
 *
 *   1. recheckAll over the 10,000 zones at concurrency 16 (RDNS_RECHECK_CONCURRENCY's default)
 *      vs the same checker called directly on the same zones, same concurrency, no database:
 *      runs taken BAAB, total time ratio = what the database side of the re-check costs.
 *      RSS sampled every 100 ms, heap after a full GC; every outcome must be `ok`.
 *   2. Scaling: recheckAll over 1,000 of the zones (the others set to `checking`) at
 *      concurrency 1, 16 and 64, run up and down (1, 16, 64, 64, 16, 1) → zones/s ratios vs
 *      concurrency 1; the bare checker alongside.
 *
 * To tell where the time goes, each checker call is timed, and this process's CPU and event
 * loop utilisation are measured per run. The database pool is the worker's (openDatabase's
 * default, 10 connections): the workers share it as the `rdns.recheck` job does. Runs in a
 * child process (this file, with --expose-gc), so that RSS is the re-check's alone; the child
 * stops its Knots and drops its database, and run.ts drops the database if the child had to be
 * killed. BENCH_RDNS=0 skips it (run.ts).
 */

const ZONES = 10_000;
const CONCURRENCY = 16;
const RUNS = 2; // per case in part 1, BAAB
const SCALE_ZONES = 1_000;
const SCALE_LEVELS = [1, 16, 64];
const TIMEOUT_MS = 2000;
const POOL_MAX = 10; // openDatabase's default, as services/worker opens it
const WARMUP = 200;

// ---------------------------------------------------------------------------------------------
// Parent side (run.ts)

export function rdnsRecheckSection(adminUrl?: string): Promise<LoadReport> {
  // --expose-gc: heap figures after a collection tell retained memory from garbage.
  return runChildSection('test/bench/rdns-recheck.ts', adminUrl, {
    nodeArgs: ['--expose-gc'],
    reportTimeoutMs: 420_000,
  });
}

// ---------------------------------------------------------------------------------------------
// Child side

const now = () => performance.now();
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface Run {
  ms: number;
  ok: number;
  /** Anything else: lame outcomes, errors, zones not checked. */
  bad: string[];
  /** Time of each checker call. */
  checkMs: number[];
  mem: ReturnType<ReturnType<typeof memorySampler>['stop']>;
  /** This process's CPU time ÷ wall time (1 = one core), and its event loop utilisation. */
  cpu: number;
  elu: number;
}

const knots: Knot[] = [];

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const rdns = await import('@guichet/rdns');
  const { db } = database;
  const failures: string[] = [];
  const ratios: [string, number][] = [];

  const zones = benchZones(ZONES);
  const knot = await serveZones(zones, knots);
  const { port } = knot;
  ratios.push([`rdns-recheck Knot cold start ${ZONES / 1000}k zones / 1 zone`, knot.coldRatio]);
  const { nameservers, published, seedSec } = await seedDelegations(database, zones);

  // --- the checker ----------------------------------------------------------------------------
  const addressOf: Record<string, string> = { [NS[0]!]: '127.0.0.2', [NS[1]!]: '127.0.0.3' };
  const checker = rdns.makeChecker({
    port,
    timeoutMs: TIMEOUT_MS,
    resolve: async (name) => {
      const address = addressOf[name.toLowerCase().replace(/\.$/, '')];
      return address ? [{ address, port }] : [];
    },
  });
  const timedChecker =
    (into: number[]): Checker =>
    async (d) => {
      const t = now();
      try {
        return await checker(d);
      } finally {
        into.push(now() - t);
      }
    };
  const ctx = () => systemContext('rdns');
  const inputs = zones.map((z) => ({ zone: z.zone, nameservers, ds: [] }));

  /** The bare checker: a fixed pool of workers over one list, as recheckAll runs it. */
  const bare = async (items: typeof inputs, concurrency: number): Promise<Run> => {
    const checkMs: number[] = [];
    const check = timedChecker(checkMs);
    const bad: string[] = [];
    let ok = 0;
    let next = 0;
    const mem = memorySampler();
    const load = loadProbe();
    const t0 = now();
    const worker = async () => {
      while (next < items.length) {
        const d = items[next++]!;
        try {
          const r = await check(d);
          if (rdns.isLame(r)) bad.push(`${d.zone}: ${r.findings.map((f) => f.code).join(',')}`);
          else ok++;
        } catch (e) {
          bad.push(`${d.zone}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    const ms = now() - t0;
    return { ms, ok, bad, checkMs, mem: mem.stop(), ...load.stop() };
  };

  /** recheckAll over every published zone, the checker timed. */
  const recheck = async (concurrency: number, expected: number): Promise<Run> => {
    const checkMs: number[] = [];
    const env = createEnv({
      database,
      lines: [rdns.rdnsLine],
      runtimes: { rdns: (b) => ({ ...b, checker: timedChecker(checkMs), publisher: null }) },
    });
    const bad: string[] = [];
    const mem = memorySampler();
    const load = loadProbe();
    const t0 = now();
    let s: RecheckSummary;
    try {
      s = await rdns.recheckAll(db, ctx(), env, {
        concurrency,
        onError: (zone, e) => bad.push(`${zone}: ${e instanceof Error ? e.message : String(e)}`),
      });
    } finally {
      // nothing to undo: the env is this run's own
    }
    const ms = now() - t0;
    const { ok, ...others } = s.outcomes;
    for (const [k, v] of Object.entries(others)) if (v) bad.push(`${v} outcome(s) ${k}`);
    if (s.checked + s.errors !== expected) bad.push(`${s.checked + s.errors} zones taken, not ${expected}`);
    return { ms, ok, bad, checkMs, mem: mem.stop(), ...load.stop() };
  };

  const expectOk = (label: string, r: Run, n: number) => {
    if (r.ok !== n || r.bad.length)
      failures.push(
        `rdns-recheck ${label}: ${r.ok}/${n} ok; ${r.bad.length} other: ${r.bad.slice(0, 3).join(' | ')}`,
      );
  };

  // --- 1. 10,000 zones, concurrency 16: recheckAll vs the bare checker ------------------------
  // Warm-up: JIT, sockets, the pool's connections (recheckOne records its runs like any other).
  const partStart = now();
  expectOk('warm-up (bare)', await bare(inputs.slice(0, WARMUP), CONCURRENCY), WARMUP);
  const ids = await database.query<{ id: string }>(
    `SELECT id FROM rdns_delegations ORDER BY zone LIMIT ${WARMUP}`,
  );
  const warmEnv = createEnv({
    database,
    lines: [rdns.rdnsLine],
    runtimes: { rdns: (b) => ({ ...b, checker, publisher: null }) },
  });
  let nextWarm = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (nextWarm < ids.length) await rdns.recheckOne(db, ctx(), warmEnv, ids[nextWarm++]!.id);
    }),
  );

  const recheckRuns: Run[] = [];
  const bareRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    // BAAB: both cases see the same weather.
    for (const c of i % 2 ? ['A', 'B'] : ['B', 'A']) {
      if (c === 'A') {
        const r = await recheck(CONCURRENCY, ZONES);
        expectOk(`recheckAll run ${recheckRuns.length + 1}`, r, ZONES);
        recheckRuns.push(r);
      } else {
        const r = await bare(inputs, CONCURRENCY);
        expectOk(`bare checker run ${bareRuns.length + 1}`, r, ZONES);
        bareRuns.push(r);
      }
    }
  }
  const part1Sec = (now() - partStart) / 1000;
  const totalMs = (rs: Run[]) => sum(rs.map((r) => r.ms));
  const overhead = totalMs(recheckRuns) / totalMs(bareRuns);
  ratios.push([
    `rdns-recheck ${ZONES / 1000}k zones c=${CONCURRENCY} recheckAll/bare checker time`,
    overhead,
  ]);
  const rate = (r: Run, n: number) => n / (r.ms / 1000);
  const allCheckMs = (rs: Run[]) => rs.flatMap((r) => r.checkMs);
  const checkP50Ratio = pct(allCheckMs(recheckRuns), 50) / pct(allCheckMs(bareRuns), 50);
  const peakA = Math.max(...recheckRuns.map((r) => r.mem.peak));
  const peakB = Math.max(...bareRuns.map((r) => r.mem.peak));
  const growth = (rs: Run[]) => Math.max(...rs.map((r) => r.mem.peak - r.mem.before));
  const MB = (bytes: number) => mb(bytes / 1024);
  const p1Rows = [
    ...bareRuns.map((r, i) => [`bare checker (run ${i + 1})`, r] as const),
    ...recheckRuns.map((r, i) => [`recheckAll (run ${i + 1})`, r] as const),
  ].map(([name, x]) => [
    name,
    fmt(x.ms / 1000, 1),
    fmt(rate(x, ZONES), 0),
    x.ok,
    x.bad.length,
    fmt(pct(x.checkMs, 50), 1),
    fmt(pct(x.checkMs, 99), 1),
    fmt(sum(x.checkMs) / x.ms, 1),
    fmt(x.cpu),
    fmt(x.elu),
    MB(x.mem.before),
    MB(x.mem.peak),
    `${MB(x.mem.heapBefore)} → ${MB(x.mem.heapAfter)}`,
  ]);

  // --- 2. scaling: 1,000 zones at concurrency 1 / 16 / 64 --------------------------------------
  const scaleStart = now();
  await database.query(
    `UPDATE rdns_delegations SET state = 'checking'
      WHERE id NOT IN (SELECT id FROM rdns_delegations ORDER BY zone LIMIT ${SCALE_ZONES})`,
  );
  const subset = [...inputs].sort((a, b) => (a.zone < b.zone ? -1 : 1)).slice(0, SCALE_ZONES);
  const scaleRuns = new Map<number, { a: Run[]; b: Run[] }>(SCALE_LEVELS.map((c) => [c, { a: [], b: [] }]));
  // Up and down again (1, 16, 64, 64, 16, 1): a drift in the machine's load hits every level alike.
  for (const c of [...SCALE_LEVELS, ...[...SCALE_LEVELS].reverse()]) {
    const a = await recheck(c, SCALE_ZONES);
    expectOk(`recheckAll ${SCALE_ZONES} zones c=${c}`, a, SCALE_ZONES);
    const b = await bare(subset, c);
    expectOk(`bare checker ${SCALE_ZONES} zones c=${c}`, b, SCALE_ZONES);
    scaleRuns.get(c)!.a.push(a);
    scaleRuns.get(c)!.b.push(b);
  }
  // The two runs of a level as one: total time, every check.
  const merge = (rs: Run[]): Run => ({
    ...rs[0]!,
    ms: sum(rs.map((r) => r.ms)) / rs.length,
    checkMs: rs.flatMap((r) => r.checkMs),
    cpu: sum(rs.map((r) => r.cpu)) / rs.length,
    elu: sum(rs.map((r) => r.elu)) / rs.length,
  });
  const scale = SCALE_LEVELS.map((c) => ({
    c,
    a: merge(scaleRuns.get(c)!.a),
    b: merge(scaleRuns.get(c)!.b),
  }));
  await database.query(`UPDATE rdns_delegations SET state = 'published' WHERE state = 'checking'`);
  const scaleSec = (now() - scaleStart) / 1000;
  const base = scale[0]!;
  const speedup = (s: { a: Run }) => rate(s.a, SCALE_ZONES) / rate(base.a, SCALE_ZONES);
  for (const s of scale.slice(1))
    ratios.push([`rdns-recheck ${SCALE_ZONES} zones recheckAll zones/s c=${s.c} / c=1`, speedup(s)]);
  const scaleRows = scale.map((s) => [
    s.c,
    fmt(s.a.ms / 1000, 2),
    fmt(rate(s.a, SCALE_ZONES), 0),
    fmt(speedup(s)),
    fmt(s.b.ms / 1000, 2),
    fmt(rate(s.b, SCALE_ZONES), 0),
    fmt(rate(s.b, SCALE_ZONES) / rate(base.b, SCALE_ZONES)),
    fmt(s.a.ms / s.b.ms),
    fmt(pct(s.a.checkMs, 50), 1),
    fmt(pct(s.b.checkMs, 50), 1),
    fmt(s.a.cpu),
    fmt(s.a.elu),
  ]);

  // Every run recorded: one rdns_checks row per zone checked.
  const expectedChecks = WARMUP + RUNS * ZONES + 2 * SCALE_LEVELS.length * SCALE_ZONES;
  const [{ n: checkRows } = { n: 0 }] = await database.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM rdns_checks',
  );
  if (checkRows !== expectedChecks)
    failures.push(`rdns-recheck: ${checkRows} rdns_checks rows, expected ${expectedChecks}`);

  const text = [
    `## rdns-recheck: re-check of ${int(ZONES)} delegated zones on ${engine}; 2 Knot servers, checker timeout ${TIMEOUT_MS} ms, DB pool ${POOL_MAX} (the worker's)`,
    '',
    knot.text,
    '',
    `seed: 1 institution, 1 assignment, ${int(published)} published delegations (bulk SQL): ${fmt(seedSec, 1)} s`,
    '',
    `### ${int(ZONES)} zones at concurrency ${CONCURRENCY}: recheckAll vs the bare checker (no database), ${RUNS} runs each, BAAB, after ${WARMUP} warm-up checks of each (${fmt(part1Sec, 0)} s)`,
    '',
    table(
      [
        'case',
        's',
        'zones/s',
        'ok',
        'other',
        'check p50 ms',
        'check p99 ms',
        'checks in flight',
        'CPU',
        'ELU',
        'RSS before MB',
        'RSS peak MB',
        'heap after GC MB',
      ],
      p1Rows,
    ),
    '',
    `### scaling: recheckAll over ${int(SCALE_ZONES)} zones (the other ${int(ZONES - SCALE_ZONES)} set aside), bare checker alongside; levels run 1, 16, 64, 64, 16, 1, mean of the 2 runs (${fmt(scaleSec, 0)} s)`,
    '',
    table(
      [
        'concurrency',
        'recheckAll s',
        'zones/s',
        '÷ c=1',
        'bare s',
        'zones/s',
        '÷ c=1',
        'recheckAll/bare',
        'check p50 ms (recheckAll)',
        '(bare)',
        'CPU (recheckAll)',
        'ELU',
      ],
      scaleRows,
    ),
    '',
    table(
      ['ratio', 'value'],
      [
        [`knotd cold start, ${int(ZONES)} zones ÷ 1 zone (median)`, fmt(knot.coldRatio, 1)],
        [`recheckAll ÷ bare checker, total time, ${int(ZONES)} zones c=${CONCURRENCY}`, fmt(overhead)],
        ['  per-check p50 inside recheckAll ÷ bare (info)', fmt(checkP50Ratio)],
        ...scale
          .slice(1)
          .map((s) => [`recheckAll zones/s c=${s.c} ÷ c=1 (${int(SCALE_ZONES)} zones)`, fmt(speedup(s))]),
      ],
    ),
    '',
    `absolute: recheckAll ${fmt(median(recheckRuns.map((r) => rate(r, ZONES))), 0)} zones/s, ` +
      `bare checker ${fmt(median(bareRuns.map((r) => rate(r, ZONES))), 0)} zones/s (c=${CONCURRENCY}, lower median); ` +
      `RSS peak ${MB(peakA)} MB (recheckAll) / ${MB(peakB)} MB (bare), largest growth in a run ` +
      `${MB(growth(recheckRuns))} / ${MB(growth(bareRuns))} MB; ${int(checkRows)} rdns_checks rows. ` +
      'CPU: this process (checker, drizzle, postgres.js) in cores; ELU: its event loop utilisation; ' +
      'checks in flight: Σ check time ÷ wall time',
  ].join('\n');
  return { text, ratios, failures };
}

childEntry(import.meta.url, {
  name: 'rdns',
  max: POOL_MAX,
  measure,
  cleanup: () => Promise.all(knots.map((k) => k.stop().catch(() => {}))),
});
