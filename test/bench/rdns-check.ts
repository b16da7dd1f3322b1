import { spawnSync } from 'node:child_process';
import type { LoadReport } from './load.js';
import { fmt, median, ROOT, table } from './util.js';

/*
 * Section "rdns-check" of `pnpm bench`: time of one pre-delegation check of a good reverse zone
 * (2.0.192.in-addr.arpa, two Knot servers) by our checkDelegation vs by zonemaster-cli 5.0.2,
 * the reference gate, on the same servers. Both run in a fresh network namespace (zonemaster-cli
 * only asks port 53) through the zonemaster agreement test's runner, interleaved ABAB after one
 * warm-up each. Ours is timed in-process, as the service calls it; zonemaster-cli as the
 * process a gate would start (Perl start-up included). Needs root, zonemaster-cli and knot;
 * BENCH_RDNS=0 skips it (run.ts).
 */

const RUNS = 10;
const RUNNER = 'services/rdns/src/check/test/zonemaster-run.ts';

export async function rdnsCheckSection(): Promise<LoadReport> {
  // Loaded here, not at the top of run.ts: testkit brings PGlite and vitest along.
  const { netnsUnavailable, runInNetns } = await import('@guichet/testkit');
  if (spawnSync('zonemaster-cli', ['--version'], { timeout: 30_000 }).error)
    throw new Error('zonemaster-cli is not installed (apt-get install zonemaster-cli; BENCH_RDNS=0 skips)');
  const netns = netnsUnavailable();
  if (netns) throw new Error(`no private network namespace (${netns}; BENCH_RDNS=0 skips)`);

  const run = await runInNetns([process.execPath, '--import', 'tsx', RUNNER, 'bench', String(RUNS)], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });
  if (run.code !== 0) throw new Error(`runner exited ${run.code ?? run.signal}: ${run.stderr.slice(-2000)}`);
  const { oursMs, zonemasterMs } = JSON.parse(run.stdout) as { oursMs: number[]; zonemasterMs: number[] };
  const ratio = median(oursMs) / median(zonemasterMs);
  const row = (name: string, xs: number[]) => [
    name,
    fmt(median(xs)),
    fmt(Math.min(...xs)),
    fmt(Math.max(...xs)),
  ];
  return {
    text: [
      `## rdns-check — pre-delegation check of one good zone, 2 Knot servers, ${RUNS} runs each (ms)`,
      table(
        ['case', 'median', 'min', 'max'],
        [
          row('checkDelegation (in-process)', oursMs),
          row('zonemaster-cli (process, Perl start-up)', zonemasterMs),
        ],
      ),
      `ours / zonemaster-cli (median): ${fmt(ratio, 3)}`,
    ].join('\n'),
    // In per cent: the ratio is well under 0.01, which the two-decimal summary would print as 0.00.
    ratios: [['rdns check ours / zonemaster-cli (%)', ratio * 100]],
    failures: [],
  };
}
