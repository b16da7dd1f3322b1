import { PolicyRefusalError } from '@guichet/core';
import type { Database } from '@guichet/db';
import { and, asc, eq, sql } from '@guichet/db';
import {
  allocatePrefix,
  assignments,
  type Block,
  createPool,
  fromBlock,
  listAssignmentsOfInstitutions,
  prefixCursor,
  toBlock,
} from '@guichet/ipam';
import { childEntry, nocContext as ctx, RPSL, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { fmt, pct, table } from './util.js';

/*
 * Section "ipam" of `pnpm bench`: the allocator against the physical limit of the same database.
 *
 *   1. Next /48 in a /32 holding 100,000 assignments: N sequential allocatePrefix calls vs N raw
 *      single-row INSERTs into a scratch table (one cidr column, GiST exclusion constraint,
 *      pre-filled with the same 100k prefixes), interleaved ABBA → p50/p99 ratios.
 *   2. 16 concurrent clients over 20 pools (random pool per call) vs 16 clients doing raw
 *      single-row INSERTs, in ~1 s slices taken ABBA → alloc/s ÷ insert/s; then overlaps
 *      (self-join), assignments crossing the free list, counters vs rows, unexpected errors.
 *   3. 1,000-row assignment list with its pools' utilisation, read as the resolvers of
 *      Institution.prefixes { pool { utilisation } } read it (one statement bringing each
 *      distinct pool once), vs a plain SELECT of the same rows; at once and in 10 keyset pages.
 *
 * A /32 holds only 65,536 /48s: "100k assignments" are 60,000 /48s and 40,000 /56s, packed from
 * the start of the /32, seeded by bulk SQL with the matching free list (buddy decomposition of
 * the rest) and counters, inserted in random order: inserted in address order, the inet_ops
 * GiST exclusion index builds ~8× slower (16 s vs 2 s for 100k here). Runs in a child process (this file) on a throwaway PostgreSQL
 * database (BENCH_DATABASE_URL), else in-memory PGlite; the child drops its database itself.
 */

const SEQ_N = 200;
const WARMUP = 20;
const CLIENTS = 16;
const POOLS = 20;
const THROUGHPUT_SECONDS = 5;
const LIST_RUNS = 30;
const INSTITUTIONS = 100; // 100k assignments → 1,000 per institution: the list is one of them
const SEED_48 = 60_000;
const SEED_56 = 40_000;
const HOLDING = `('reserved', 'active', 'returned', 'quarantined')`;

// ---------------------------------------------------------------------------------------------
// Parent side (run.ts)

export function ipamSection(adminUrl?: string): Promise<LoadReport> {
  return runChildSection('test/bench/ipam.ts', adminUrl, { reportTimeoutMs: 300_000 });
}

// ---------------------------------------------------------------------------------------------
// Child side

const now = () => performance.now();

/** [start, end) (offsets from `base`) as maximal aligned CIDR blocks: the buddy free list. */
function rangeBlocks(base: Block, from: bigint, to: bigint): Block[] {
  const bits = base.family === 4 ? 32 : 128;
  const out: Block[] = [];
  let cur = from;
  while (cur < to) {
    let size = 1n;
    while (cur % (size * 2n) === 0n && cur + size * 2n <= to) size *= 2n;
    out.push({ family: base.family, net: base.net + cur, len: bits - (size.toString(2).length - 1) });
    cur += size;
  }
  return out;
}

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const { db } = database;
  const failures: string[] = [];
  const ratios: [string, number][] = [];
  const q = database.query.bind(database);

  // --- seed -----------------------------------------------------------------------------------
  const seedStart = now();
  const insts = await q<{ id: string }>(
    `INSERT INTO membership_institutions (name, short_name, kind, siren, collector)
     SELECT 'Bench institution ' || g, 'BENCH' || g, 'tutelle', lpad((100000000 + g)::text, 9, '0'), 'RRTHD'
       FROM generate_series(1, ${INSTITUTIONS}) g RETURNING id`,
  );
  const instIds = insts.map((r) => r.id);
  const big = await createPool(db, ctx(), {
    name: 'bench /32',
    prefix: '2001:db8::/32',
    status: 'ALLOCATED-BY-RIR',
    purpose: 'bench',
    acceptBogon: true, // documentation space is refused unless accepted
    ...RPSL,
  });
  const bigBlock = toBlock(big.prefix);
  // 60,000 /48s (third hextet 0…59999), then 40,000 /56s packed into the next 157 /48s.
  const occupied = (BigInt(SEED_48) << 80n) + (BigInt(SEED_56) << 72n);
  const free = rangeBlocks(bigBlock, occupied, 1n << 96n);
  const instArray = `ARRAY[${instIds.map((id) => `'${id}'::uuid`).join(',')}]`;
  const cols = `pool_id, institution_id, prefix, family, status, lifecycle, purpose, netname, country,
                admin_c, tech_c, mnt_by, created_by, activated_at`;
  const rest = `6, 'ASSIGNED', 'active', 'bench seed', 'BENCH-NET', 'FR',
                '{NOC1-RIPE}', '{NOC1-RIPE}', '{EXAMPLE-MNT}', 'bench', now()`;
  await database.execRows(`
    BEGIN;
    INSERT INTO ipam_assignments (${cols})
    SELECT '${big.id}', (${instArray})[1 + g % ${INSTITUTIONS}], p, ${rest}
      FROM (SELECT g, ('2001:db8:' || to_hex(g) || '::/48')::cidr AS p
              FROM generate_series(0, ${SEED_48 - 1}) g
            UNION ALL
            SELECT ${SEED_48} + g,
                   ('2001:db8:' || to_hex(${SEED_48} + g / 256) || ':' || to_hex((g % 256) * 256) || '::/56')::cidr
              FROM generate_series(0, ${SEED_56 - 1}) g) s
     ORDER BY random();
    DELETE FROM ipam_free_blocks WHERE pool_id = '${big.id}';
    INSERT INTO ipam_free_blocks (pool_id, prefix, masklen) VALUES
      ${free.map((b) => `('${big.id}', '${fromBlock(b)}', ${b.len})`).join(',\n      ')};
    UPDATE ipam_pools SET used_units = ${SEED_48} * 65536::bigint + ${SEED_56} * 256,
                          assignment_count = ${SEED_48 + SEED_56}
     WHERE id = '${big.id}';
    COMMIT;`);
  const seedAssignSec = (now() - seedStart) / 1000;
  // The baseline's table: one cidr column, the same GiST exclusion, the same 100k prefixes.
  const rawStart = now();
  await database.exec(`
    CREATE TABLE bench_raw_insert (prefix cidr NOT NULL, EXCLUDE USING gist (prefix inet_ops WITH &&));
    INSERT INTO bench_raw_insert SELECT prefix FROM ipam_assignments ORDER BY random();`);
  const seedRawSec = (now() - rawStart) / 1000;
  const concurrent: { id: string }[] = [];
  const concBase = toBlock('2001:db9::/36');
  for (let i = 0; i < POOLS; i++) {
    const p = fromBlock({ ...concBase, net: concBase.net + (BigInt(i) << 92n) });
    concurrent.push(
      await createPool(db, ctx(), {
        name: `bench ${p}`,
        prefix: p,
        status: 'ALLOCATED-BY-RIR',
        purpose: 'bench',
        acceptBogon: true, // documentation space is refused unless accepted
        ...RPSL,
      }),
    );
  }
  await database.exec('ANALYZE');
  const seedSec = (now() - seedStart) / 1000;
  const seeded = await q<{ n: number; free: number }>(
    `SELECT (SELECT count(*)::int FROM ipam_assignments WHERE pool_id = $1) AS n,
            (SELECT count(*)::int FROM ipam_free_blocks WHERE pool_id = $1) AS free`,
    [big.id],
  );

  // Raw single-row INSERT: /64s from 3fff::/20, never overlapping, one autocommit statement each.
  const rawBase = toBlock('3fff::/20');
  let rawNext = 0;
  const rawInsert = () =>
    q('INSERT INTO bench_raw_insert (prefix) VALUES ($1::cidr)', [
      fromBlock({ family: 6, net: rawBase.net + (BigInt(rawNext++) << 64n), len: 64 }),
    ]);
  const alloc = (poolId: string) =>
    allocatePrefix(db, ctx(), { poolId, length: 48, institutionId: instIds[0]!, purpose: 'bench' });

  // --- 1. sequential next /48 -------------------------------------------------------------------
  for (let i = 0; i < WARMUP; i++) {
    await alloc(big.id);
    await rawInsert();
  }
  const seqAlloc: number[] = [];
  const seqRaw: number[] = [];
  const timed = async (into: number[], f: () => Promise<unknown>) => {
    const t = now();
    await f();
    into.push(now() - t);
  };
  for (let i = 0; i < SEQ_N; i++) {
    // ABBA: both see the same weather.
    const pair = [() => timed(seqAlloc, () => alloc(big.id)), () => timed(seqRaw, rawInsert)];
    for (const f of i % 2 ? pair.reverse() : pair) await f();
  }
  const seqCases: [string, number[]][] = [
    ['allocatePrefix /48 (pool row lock, free list)', seqAlloc],
    ['raw INSERT 1 row (cidr + GiST EXCLUDE)', seqRaw],
  ];
  const seqRows = seqCases.map(([n, xs]) => [n, xs.length, fmt(pct(xs, 50)), fmt(pct(xs, 99))]);
  const seqP50 = pct(seqAlloc, 50) / pct(seqRaw, 50);
  const seqP99 = pct(seqAlloc, 99) / pct(seqRaw, 99);
  ratios.push(
    ['ipam next /48 in 100k /32 alloc/raw-insert p50', seqP50],
    ['ipam next /48 in 100k /32 alloc/raw-insert p99', seqP99],
  );

  // --- 2. throughput, 16 clients over 20 pools ---------------------------------------------------
  interface Tally {
    ops: number;
    ms: number;
    lat: number[];
    noSpace: number;
    errors: string[];
  }
  const tally = (): Tally => ({ ops: 0, ms: 0, lat: [], noSpace: 0, errors: [] });
  const allocT = tally();
  const rawT = tally();
  const alloc1 = tally();
  const raw1 = tally();
  const runSlice = async (into: Tally, op: () => Promise<unknown>, ms: number, clients = CLIENTS) => {
    const t0 = now();
    const deadline = t0 + ms;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (now() < deadline) {
          const t = now();
          try {
            await op();
            into.ops++;
            into.lat.push(now() - t);
          } catch (e) {
            if (e instanceof PolicyRefusalError && e.rule === 'no-space') into.noSpace++;
            else into.errors.push(e instanceof Error ? e.message : String(e));
          }
        }
      }),
    );
    into.ms += now() - t0;
  };
  const randomPool = () => concurrent[Math.floor(Math.random() * POOLS)]!.id;
  const cases: [Tally, () => Promise<unknown>][] = [
    [allocT, () => alloc(randomPool())],
    [rawT, rawInsert],
  ];
  await runSlice(tally(), cases[0]![1], 300); // warm-up: 16 connections opened
  await runSlice(tally(), cases[1]![1], 300);
  for (let i = 0; i < THROUGHPUT_SECONDS; i++) {
    for (const [t, op] of i % 2 ? [...cases].reverse() : cases) await runSlice(t, op, 1000);
  }
  // One client each, for scale: how much 16 clients gain over one.
  for (let i = 0; i < 2; i++) {
    await runSlice(i ? raw1 : alloc1, i ? rawInsert : () => alloc(randomPool()), 1000, 1);
    await runSlice(i ? alloc1 : raw1, i ? () => alloc(randomPool()) : rawInsert, 1000, 1);
  }
  const rate = (t: Tally) => (t.ops * 1000) / t.ms;
  const thrRatio = rate(allocT) / rate(rawT);
  ratios.push([`ipam ${CLIENTS} clients/${POOLS} pools alloc/s ÷ raw insert/s`, thrRatio]);

  const checkMs: number[] = [];
  const count = async (text: string) => {
    const t = now();
    const [r] = await q<{ n: number }>(text);
    checkMs.push(now() - t);
    return r!;
  };
  const overlaps = await count(
    `SELECT count(*)::int AS n FROM ipam_assignments a JOIN ipam_assignments b
       ON a.id < b.id AND a.prefix && b.prefix
      WHERE a.lifecycle IN ${HOLDING} AND b.lifecycle IN ${HOLDING}`,
  );
  const crossed = await count(
    // A free-list row stands for ipam_free_expand's blocks (a tail's prefix also covers its hole).
    `SELECT count(*)::int AS n FROM ipam_assignments a, ipam_free_blocks f, ipam_free_expand(f.prefix, f.cut) b
      WHERE a.prefix && b AND a.lifecycle IN ${HOLDING}`,
  );
  const badCounters = await count(
    `SELECT count(*)::int AS n FROM ipam_pools p
      WHERE p.assignment_count <> (SELECT count(*) FROM ipam_assignments a WHERE a.pool_id = p.id)`,
  );
  const all = [allocT, rawT, alloc1, raw1];
  const unexpected = all.reduce((n, t) => n + t.errors.length, 0);
  const noSpace = all.reduce((n, t) => n + t.noSpace, 0);
  if (overlaps.n) failures.push(`ipam: ${overlaps.n} overlapping assignment pairs`);
  if (crossed.n) failures.push(`ipam: ${crossed.n} assignments overlap the free list`);
  if (badCounters.n) failures.push(`ipam: ${badCounters.n} pools whose assignment_count is wrong`);
  if (unexpected || allocT.noSpace) {
    const sample = [...new Set([...allocT.errors, ...rawT.errors])].slice(0, 3).join(' | ');
    failures.push(
      `ipam: ${unexpected} unexpected errors, ${allocT.noSpace} no-space${sample ? `: ${sample}` : ''}`,
    );
  }
  const thrCases: [string, number, Tally][] = [
    [`allocatePrefix /48, random pool of ${POOLS}`, CLIENTS, allocT],
    ['raw INSERT 1 row (cidr + GiST EXCLUDE)', CLIENTS, rawT],
    [`allocatePrefix /48, random pool of ${POOLS}`, 1, alloc1],
    ['raw INSERT 1 row (cidr + GiST EXCLUDE)', 1, raw1],
  ];
  const thrRows = thrCases.map(([n, c, x]) => [
    n,
    c,
    x.ops,
    fmt(rate(x), 0),
    fmt(pct(x.lat, 50)),
    fmt(pct(x.lat, 99)),
    x.errors.length,
  ]);

  // --- 3. 1,000-row list with utilisation -------------------------------------------------------
  // Institution.prefixes { pool { utilisation } } as the resolvers read it: the list's own
  // statement, which brings each distinct pool once (on the first row of its run) and primes the
  // Assignment.pool loader — utilisation from those pools' counters, set on every row. Baseline:
  // the same rows by a plain SELECT, no pool. Read as 1,000 rows at once (the per-row cost at
  // scale; GraphQL pages by at most 100) and as the 10 keyset pages of 100 a client pages through.
  const listInst = instIds[1]!;
  const staff = ctx().actor;
  const utilisations: { size: number; used: number; reserved: number }[] = [];
  const resolverPage = async (after: string | undefined, limit: number) => {
    const { pages, pools } = await listAssignmentsOfInstitutions(db, staff, [listInst], null, after, limit, {
      withPools: true,
    });
    const byId = new Map(pools.map((p) => [p.id, p]));
    // Per row what Assignment.pool { utilisation } resolves: its pool (from the primed loader)
    // and the utilisation object made of its counters.
    const rows = pages[0] ?? [];
    for (const r of rows) {
      const p = byId.get(r.poolId);
      if (!p) throw new Error(`pool ${r.poolId} of ${r.prefix} not brought by the list`);
      utilisations.push({ size: p.sizeUnits, used: p.usedUnits, reserved: p.reservedUnits });
    }
    utilisations.length = 0;
    return rows;
  };
  const plainPage = async (after: string | undefined, limit: number) => {
    const [prefix, id] = after ? (JSON.parse(after) as [string, string]) : [];
    return db
      .select()
      .from(assignments)
      .where(
        and(
          eq(assignments.institutionId, listInst),
          after
            ? sql`(${assignments.prefix}, ${assignments.id}) > (${prefix}::cidr, ${id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(assignments.prefix), asc(assignments.id))
      .limit(limit);
  };
  // As keysetConnection pages: first + 1 rows, the next page after the last row kept.
  type Read = (after: string | undefined, limit: number) => Promise<{ prefix: string; id: string }[]>;
  const paged = async (read: Read, encode: (r: { prefix: string; id: string }) => string) => {
    let after: string | undefined;
    let n = 0;
    for (;;) {
      const rows = await read(after, 101);
      const page = rows.slice(0, 100);
      n += page.length;
      if (rows.length <= 100) return n;
      after = encode(page.at(-1)!);
    }
  };
  const listCases: [string, () => Promise<number>, number[]][] = [
    [
      '1,000 at once: list + pool utilisation (resolvers)',
      async () => (await resolverPage(undefined, 1000)).length,
      [],
    ],
    ['1,000 at once: plain SELECT, same rows', async () => (await plainPage(undefined, 1000)).length, []],
    ['10 pages of 100: list + pool utilisation (resolvers)', () => paged(resolverPage, prefixCursor), []],
    [
      '10 pages of 100: plain SELECT, same rows',
      () => paged(plainPage, (r) => JSON.stringify([r.prefix, r.id])),
      [],
    ],
  ];
  const counts = new Set<number>();
  for (let i = 0; i < 3; i++) for (const [, run] of listCases) await run();
  for (let i = 0; i < LIST_RUNS; i++) {
    for (const [, run, lat] of i % 2 ? [...listCases].reverse() : listCases) {
      const t = now();
      counts.add(await run());
      lat.push(now() - t);
    }
  }
  const listRows = counts.size === 1 ? [...counts][0]! : -1;
  if (listRows !== 1000) failures.push(`ipam: the list returned ${[...counts].join('/')} rows, not 1000`);
  const listRatio = pct(listCases[0]![2], 50) / pct(listCases[1]![2], 50);
  const pagedRatio = pct(listCases[2]![2], 50) / pct(listCases[3]![2], 50);
  ratios.push(['ipam 1,000-row list with utilisation/plain p50', listRatio]);

  const text = [
    `## ipam: allocator vs raw single-row INSERT on ${engine}`,
    '',
    `seed: ${seeded[0]!.n} assignments in ${big.prefix} (${SEED_48} /48 + ${SEED_56} /56, bulk SQL) ` +
      `+ free list of ${seeded[0]!.free} blocks + counters: ${fmt(seedAssignSec, 1)} s; baseline table ` +
      `pre-filled with the same prefixes: ${fmt(seedRawSec, 1)} s; ${POOLS} /36 pools; total ${fmt(seedSec, 1)} s`,
    '',
    `### next /48 in a /32 holding 100k assignments (${SEQ_N} sequential calls each, interleaved)`,
    '',
    table(['operation', 'n', 'p50 ms', 'p99 ms'], seqRows),
    '',
    `### throughput: ${CLIENTS} concurrent clients, ${THROUGHPUT_SECONDS} s each (1 s slices, ABBA); 1 client, 2 s each, for scale`,
    '',
    table(['operation', 'clients', 'done', 'per s', 'p50 ms', 'p99 ms', 'errors'], thrRows),
    '',
    table(
      ['check after the run', 'count', 'query s'],
      [
        ['overlapping holding assignments (self-join)', overlaps.n, fmt(checkMs[0]! / 1000, 1)],
        ['assignments overlapping the free list', crossed.n, fmt(checkMs[1]! / 1000, 1)],
        ['pools whose assignment_count ≠ rows', badCounters.n, fmt(checkMs[2]! / 1000, 1)],
        ['unexpected errors', unexpected, ''],
        ['no-space refusals', noSpace, ''],
      ],
    ),
    '',
    `### 1,000-row assignment list with utilisation (one institution's 1,000 of 100k; ${LIST_RUNS} runs each, interleaved)`,
    '',
    table(
      ['read', 'rows', 'p50 ms', 'p99 ms'],
      listCases.map(([n, , lat]) => [n, listRows, fmt(pct(lat, 50)), fmt(pct(lat, 99))]),
    ),
    '',
    table(
      ['ratio', 'value'],
      [
        ['next /48 alloc/raw p50', fmt(seqP50)],
        ['next /48 alloc/raw p99', fmt(seqP99)],
        [`${CLIENTS} clients alloc/s ÷ raw insert/s`, fmt(thrRatio)],
        [`alloc/s ${CLIENTS} clients ÷ 1 client (info)`, fmt(rate(allocT) / rate(alloc1))],
        [`raw insert/s ${CLIENTS} clients ÷ 1 client (info)`, fmt(rate(rawT) / rate(raw1))],
        ['list with utilisation/plain p50 (1,000 at once)', fmt(listRatio)],
        ['list with utilisation/plain p50 (10 pages of 100, info)', fmt(pagedRatio)],
      ],
    ),
  ].join('\n');
  return { text, ratios, failures };
}

childEntry(import.meta.url, { name: 'ipam', max: CLIENTS + 4, measure });
