import autocannon from 'autocannon';
import postgres from 'postgres';
import { GRAPHQL_QUERY, PLAIN_PATH } from './plain-tokens.js';
import { type Child, fmt, mb, median, rssKb, sampleRss, sleep, start, stop, table, waitFor } from './util.js';

/** Sections 1 and 2 on one engine: GraphQL vs the plain route, and the server's RSS under load. */

const CONNECTIONS = [10, 50] as const;

export interface LoadReport {
  text: string;
  ratios: [string, number][];
  failures: string[];
}

interface ServerInfo {
  port: number;
  token: string;
  pid: number;
  engine: string;
  rows: number;
  dbName?: string;
}

interface Target {
  name: 'plain' | 'graphql';
  opts: Pick<autocannon.Options, 'url' | 'method' | 'headers' | 'body'>;
}

export async function loadSection(label: string, seconds: number, adminUrl?: string): Promise<LoadReport> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The limiter stays on (both routes pay for it) but never trips: 1e6 is the config's maximum.
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'silent',
    BENCH_DATABASE_URL: adminUrl ?? '',
  };
  // `node --import tsx` rather than the tsx CLI: one process, so the pid is the server's.
  const child = start(process.execPath, ['--import', 'tsx', 'test/bench/server.ts'], env);
  let info: ServerInfo | undefined;
  try {
    const m = await waitFor(child, /^\{.*"port".*\}$/m, 120_000);
    info = JSON.parse(m[0]) as ServerInfo;
    return await measure(label, seconds, info);
  } finally {
    await shutdown(child, adminUrl, info?.dbName);
  }
}

async function measure(label: string, seconds: number, info: ServerInfo): Promise<LoadReport> {
  const base = `http://127.0.0.1:${info.port}`;
  const auth = { authorization: `Bearer ${info.token}` };
  const targets: Target[] = [
    { name: 'plain', opts: { url: `${base}${PLAIN_PATH}`, method: 'GET', headers: auth } },
    {
      name: 'graphql',
      opts: {
        url: `${base}/graphql`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: GRAPHQL_QUERY }),
      },
    },
  ];
  const failures: string[] = [];

  // Every answer must be byte-identical to the first one: a GraphQL error would still be a 200.
  const expected = new Map<string, string>();
  for (const t of targets) {
    const res = await fetch(t.opts.url, {
      method: t.opts.method,
      headers: t.opts.headers as Record<string, string>,
      body: t.opts.body as string | undefined,
    });
    const body = await res.text();
    if (res.status !== 200 || body.includes('"errors"'))
      throw new Error(`${t.name}: HTTP ${res.status} ${body.slice(0, 300)}`);
    expected.set(t.name, body);
  }

  const idleSamples: number[] = [];
  for (let i = 0; i < 10; i++) {
    idleSamples.push(rssKb(info.pid));
    await sleep(100);
  }
  const idleKb = median(idleSamples);

  // Warm-up (JIT, connection pools, PGlite caches), not recorded.
  const warmup = Math.max(1, Math.round(seconds / 5));
  for (const t of targets) await slice({ ...t.opts, connections: 10, duration: warmup }, newTotals());

  const rows: (string | number)[][] = [];
  const results = new Map<string, Totals>();
  let peakKb = 0;
  // Background load moves within seconds (other people's test runs share the 2 cores), so each
  // case is cut into ~1 s slices taken in ABBA order: both endpoints see the same weather.
  const slices = Math.max(1, Math.round(seconds));
  for (const c of CONNECTIONS) {
    const sampler = sampleRss(info.pid);
    const totals = new Map(targets.map((t) => [t.name, newTotals()]));
    for (let i = 0; i < slices; i++) {
      for (const t of i % 2 ? [...targets].reverse() : targets) {
        await slice(
          { ...t.opts, connections: c, duration: seconds / slices, expectBody: expected.get(t.name)! },
          totals.get(t.name)!,
        );
      }
    }
    const peak = sampler.stop().peakKb;
    peakKb = Math.max(peakKb, peak);
    for (const t of targets) {
      const r = totals.get(t.name)!;
      results.set(`${t.name}:${c}`, r);
      const bad = r.non2xx + r.errors + r.mismatches;
      if (bad) {
        failures.push(
          `${label} ${t.name} c=${c}: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts, ${r.mismatches} unexpected bodies`,
        );
      }
      const lat = r.latencies.sort((a, b) => a - b);
      rows.push([
        t.name,
        c,
        fmt(rps(r), 0),
        fmt(pct(lat, 50), 1),
        fmt(pct(lat, 99), 1),
        r.requests,
        r.non2xx,
        r.errors,
        r.mismatches,
        mb(peak),
      ]);
    }
  }

  const ratios: [string, number][] = [];
  const ratioRows: (string | number)[][] = [];
  for (const c of CONNECTIONS) {
    const p = results.get(`plain:${c}`)!;
    const g = results.get(`graphql:${c}`)!;
    const rpsRatio = rps(g) / rps(p);
    const p99 = pct(g.latencies, 99) / pct(p.latencies, 99);
    ratios.push(
      [`${label} graphql/plain req/s c=${c}`, rpsRatio],
      [`${label} graphql/plain p99 c=${c}`, p99],
    );
    ratioRows.push([c, fmt(rpsRatio), fmt(p99)]);
  }
  ratios.push([`${label} rss peak/idle`, peakKb / idleKb]);

  const text = [
    `## ${label}: GraphQL \`${GRAPHQL_QUERY}\` vs GET ${PLAIN_PATH} (${info.rows} rows, ${seconds} s per case)`,
    '',
    table(
      [
        'endpoint',
        'conns',
        'req/s',
        'p50 ms',
        'p99 ms',
        'requests',
        'non-2xx',
        'errors',
        'bad body',
        'peak RSS MB',
      ],
      rows,
    ),
    '(peak RSS is per connection count, both endpoints together: they run interleaved)',
    '',
    table(['conns', 'graphql/plain req/s', 'graphql/plain p99'], ratioRows),
    '',
    `## ${label}: server RSS (sampled every 100 ms)`,
    '',
    table(['idle MB', 'peak under load MB', 'peak/idle'], [[mb(idleKb), mb(peakKb), fmt(peakKb / idleKb)]]),
  ].join('\n');
  return { text, ratios, failures };
}

interface Totals {
  requests: number;
  seconds: number;
  latencies: number[];
  non2xx: number;
  errors: number;
  mismatches: number;
}

const newTotals = (): Totals => ({
  requests: 0,
  seconds: 0,
  latencies: [],
  non2xx: 0,
  errors: 0,
  mismatches: 0,
});
const rps = (t: Totals) => t.requests / t.seconds;

/** Nearest-rank percentile of sorted latencies. */
function pct(sorted: number[], p: number): number {
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    : Number.NaN;
}

/** One autocannon run added to the totals; latencies kept raw so slices merge exactly. */
function slice(opts: autocannon.Options, into: Totals): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, r) => {
      if (err) return reject(err);
      into.requests += r.requests.total;
      into.seconds += r.duration;
      into.non2xx += r.non2xx;
      into.errors += r.errors; // includes timeouts
      into.mismatches += r.mismatches;
      resolve();
    });
    instance.on('response', (_client, _status, _bytes, ms) => into.latencies.push(ms));
  });
}

async function shutdown(
  child: Child,
  adminUrl: string | undefined,
  dbName: string | undefined,
): Promise<void> {
  const clean = await stop(child);
  // The server drops its throwaway database on SIGTERM; if it had to be killed, do it here.
  if (!clean && adminUrl && dbName) {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}
