import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadReport } from './load.js';
import { type Child, fmt, onAbort, ROOT, start, stop, table, waitFor } from './util.js';

/**
 * Section 3: the real entry (`tsx services/api/src/main.ts`, embedded PGlite, demo mode) from
 * spawn to the first answered `{ viewer { kind } }`, on an empty data dir and on a restart,
 * against a bare fastify started through the same tsx as the baseline.
 */

const TSX = join(ROOT, 'node_modules/.bin/tsx');
const LISTENING = /is listening on (http:\/\/\S+)/;
const TIMEOUT_MS = 120_000;

interface Timing {
  listeningMs: number;
  answerMs: number;
  cleanStop: boolean;
}

async function timeStart(
  args: string[],
  env: NodeJS.ProcessEnv,
  probe: (url: string, out: string) => Promise<boolean>,
): Promise<Timing> {
  const t0 = performance.now();
  const child: Child = start(TSX, args, env);
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
    return { listeningMs, answerMs, cleanStop: await stop(child) };
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
  const bare = () => timeStart(['test/bench/bare-server.ts'], process.env, bareAnswers);
  const real = () => timeStart(['services/api/src/main.ts'], mainEnv(dataDir), viewerAnswers);
  try {
    // The baseline runs before and after; the faster run counts (start-up noise only adds).
    await attempt('baseline 1', bare);
    await attempt('empty data dir', real);
    await attempt('restart', real);
    await attempt('baseline 2', bare);
  } finally {
    removeDir();
    forget();
  }

  const baselines = ['baseline 1', 'baseline 2']
    .map((n) => results.get(n)?.answerMs)
    .filter((x): x is number => x !== undefined);
  const baseline = baselines.length ? Math.min(...baselines) : Number.NaN;
  const rows = [...results].map(([name, t]) => [
    name,
    fmt(t.listeningMs, 0),
    fmt(t.answerMs, 0),
    name.startsWith('baseline') ? '' : fmt(t.answerMs / baseline),
    t.cleanStop ? 'yes' : 'NO',
  ]);
  const ratio = (n: string) => (results.get(n)?.answerMs ?? Number.NaN) / baseline;
  const text = [
    '## Embedded cold start: spawn → first answered `{ viewer { kind } }` (real entry, PGlite on disk, demo mode)',
    '',
    table(['case', 'listening ms', 'first answer ms', '/baseline', 'clean stop'], rows),
    '',
    `baseline = bare fastify through the same tsx, answering GET /; the faster of two runs (${fmt(baseline, 0)} ms)`,
  ].join('\n');
  return {
    text,
    ratios: [
      ['cold start empty data dir/baseline', ratio('empty data dir')],
      ['cold start restart/baseline', ratio('restart')],
    ],
    failures,
  };
}
