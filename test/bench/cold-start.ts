import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadReport } from './load.js';
import { type Child, fmt, mb, onAbort, ROOT, rssKb, sleep, start, stop, table, waitFor } from './util.js';

/**
 * Section 3: the real entry as `pnpm start` runs it (`node scripts/start.mjs api`: the compiled
 * bundle, embedded PGlite, demo mode) from spawn to the first answered `{ viewer { kind } }`, on
 * an empty data dir and on a restart, and its RSS once idle. Baselines: a bare fastify through
 * tsx (what the earlier figures were measured against: the ratios stay comparable across
 * commits) and through plain Node (the same runtime as the entry now).
 */

const TSX = join(ROOT, 'node_modules/.bin/tsx');
const IDLE_MS = 5000;
const LISTENING = /is listening on (http:\/\/\S+)/;
const TIMEOUT_MS = 120_000;

interface Timing {
  listeningMs: number;
  answerMs: number;
  /** RSS after IDLE_MS without requests (real entry only: tsx runs its script in a grandchild). */
  idleRssKb?: number;
  cleanStop: boolean;
}

async function timeStart(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  probe: (url: string, out: string) => Promise<boolean>,
  idleRss = false,
): Promise<Timing> {
  const t0 = performance.now();
  const child: Child = start(cmd, args, env);
  try {
    const url = (await waitFor(child, LISTENING, TIMEOUT_MS))[1]!;
    const listeningMs = performance.now() - t0;
    // It is listening, so the first try normally answers; retry briefly all the same.
    for (let i = 0; ; i++) {
      if (await probe(url, child.output()).catch(() => false)) break;
      if (i === 50) throw new Error(`no good answer from ${url}\n${child.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const answerMs = performance.now() - t0;
    let idleRssKb: number | undefined;
    if (idleRss) {
      await sleep(IDLE_MS);
      idleRssKb = rssKb(child.pid);
    }
    return { listeningMs, answerMs, ...(idleRssKb ? { idleRssKb } : {}), cleanStop: await stop(child) };
  } finally {
    await stop(child);
  }
}

function mainEnv(dataDir: string): NodeJS.ProcessEnv {
  // DATABASE_URL emptied (= unset for loadConfig) so the shell's value cannot pick PostgreSQL.
  return {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    DEMO: 'true',
    LOG_LEVEL: 'silent',
    DATABASE_URL: '',
  };
}

async function viewerAnswers(url: string, out: string): Promise<boolean> {
  // main prints the newest demo token; on a restart the earlier one is revoked.
  const tokens = out.match(/gch_[A-Za-z0-9_-]{43}/g);
  if (!tokens) return false;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${tokens.at(-1)}`,
    },
    body: JSON.stringify({ query: '{ viewer { kind } }' }),
  });
  const body = (await res.json()) as { data?: { viewer?: { kind?: string } } };
  return res.status === 200 && body.data?.viewer?.kind === 'STAFF';
}

async function bareAnswers(url: string): Promise<boolean> {
  return (await fetch(`${url}/`)).status === 200;
}

export async function coldStartSection(): Promise<LoadReport> {
  const failures: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const forget = onAbort(removeDir);
  const results = new Map<string, Timing>();
  const attempt = async (name: string, run: () => Promise<Timing>) => {
    try {
      results.set(name, await run());
      if (!results.get(name)!.cleanStop)
        failures.push(`cold start ${name}: did not stop within 3 s of SIGTERM`);
    } catch (e) {
      failures.push(`cold start ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const bare = () => timeStart(TSX, ['test/bench/bare-server.mjs'], process.env, bareAnswers);
  const bareNode = () =>
    timeStart(process.execPath, ['test/bench/bare-server.mjs'], process.env, bareAnswers);
  const real = () =>
    timeStart(process.execPath, ['scripts/start.mjs', 'api'], mainEnv(dataDir), viewerAnswers, true);
  // What `pnpm install` did: a current bundle and template, so the first start does not compile.
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) failures.push(`cold start: pnpm build failed\n${built.stderr}`);
  try {
    // The baselines run before and after; the faster run counts (start-up noise only adds).
    await attempt('baseline 1 (tsx)', bare);
    await attempt('baseline 1 (node)', bareNode);
    await attempt('empty data dir', real);
    await attempt('restart', real);
    await attempt('baseline 2 (tsx)', bare);
    await attempt('baseline 2 (node)', bareNode);
  } finally {
    removeDir();
    forget();
  }

  const fastest = (runtime: string) => {
    const runs = [`baseline 1 (${runtime})`, `baseline 2 (${runtime})`]
      .map((n) => results.get(n)?.answerMs)
      .filter((x): x is number => x !== undefined);
    return runs.length ? Math.min(...runs) : Number.NaN;
  };
  const baseline = fastest('tsx');
  const nodeBaseline = fastest('node');
  const rows = [...results].map(([name, t]) => [
    name,
    fmt(t.listeningMs, 0),
    fmt(t.answerMs, 0),
    name.startsWith('baseline') ? '' : fmt(t.answerMs / baseline),
    name.startsWith('baseline') ? '' : fmt(t.answerMs / nodeBaseline),
    t.idleRssKb ? mb(t.idleRssKb) : '',
    t.cleanStop ? 'yes' : 'NO',
  ]);
  const ratio = (n: string, base = baseline) => (results.get(n)?.answerMs ?? Number.NaN) / base;
  const rssMb = (n: string) => (results.get(n)?.idleRssKb ?? Number.NaN) / 1024;
  const text = [
    "## Embedded cold start: spawn → first answered `{ viewer { kind } }` (`pnpm start`'s entry, PGlite on disk, demo mode)",
    '',
    table(
      [
        'case',
        'listening ms',
        'first answer ms',
        '/baseline tsx',
        '/baseline node',
        `RSS idle ${IDLE_MS / 1000} s MB`,
        'clean stop',
      ],
      rows,
    ),
    '',
    `baselines = bare fastify answering GET /, through tsx (${fmt(baseline, 0)} ms) and through node (${fmt(nodeBaseline, 0)} ms); the faster of two runs each`,
    `targets (issue 10): empty data dir ≤ 5000 ms, restart ≤ 2000 ms, idle RSS ≤ 400 MB`,
  ].join('\n');
  return {
    text,
    ratios: [
      ['cold start empty data dir/baseline', ratio('empty data dir')],
      ['cold start restart/baseline', ratio('restart')],
      ['cold start empty data dir/node baseline', ratio('empty data dir', nodeBaseline)],
      ['cold start restart/node baseline', ratio('restart', nodeBaseline)],
      ['cold start idle RSS/400 MB target', rssMb('restart') / 400],
    ],
    failures,
  };
}
