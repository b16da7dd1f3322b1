import type { CollectorConfigInput } from '@guichet/routing';
import type { LoadReport } from './load.js';
import { fmt, median, table } from './util.js';

/*
 * Section "routing" of `pnpm bench`: a regional collector's BIRD configuration for 60,000
 * prefixes (40,000 IPv4 /24s + 20,000 IPv6 /44{44,48} over 200 sessions).
 *
 *   1. renderCollectorConfig vs JSON.stringify of the same input (the floor of "walk the input
 *      and write text"), interleaved ABAB.
 *   2. `bird -p -c` on the generated file vs on a minimal config (process start + parse of
 *      nothing), interleaved ABAB.
 *
 * In-process, no database. BENCH_ROUTING=0 skips it (run.ts).
 */

const SESSIONS = 200;
const V4_PER_SESSION = 200;
const V6_PER_SESSION = 100;
const RUNS = 5;
const MINIMAL = 'router id 193.51.255.1;\nprotocol device {\n}\n';

export function benchCollectorInput(): CollectorConfigInput {
  let v4 = 0;
  let v6 = 0;
  const sessions: CollectorConfigInput['sessions'] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const prefixes: { prefix: string; maxLength?: number }[] = [];
    for (let i = 0; i < V4_PER_SESSION; i++, v4++) {
      const n = 0x80000000 + v4 * 256; // 128.0.0.0 upwards: public space
      prefixes.push({ prefix: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/24` });
    }
    for (let i = 0; i < V6_PER_SESSION; i++, v6++) {
      const x = (0x2a00n << 112n) + (BigInt(v6) << 84n); // /44s in 2a00::/12
      const g = x.toString(16).padStart(32, '0').match(/.{4}/g)!;
      const head = g.slice(0, 3).map((h) => h.replace(/^0+(?=.)/, ''));
      prefixes.push({ prefix: `${head.join(':')}::/44`, maxLength: 48 });
    }
    // Reverse order: the generator has to sort.
    prefixes.reverse();
    sessions.push({
      name: `s${String(s).padStart(4, '0')}`,
      peerAddress: `193.51.${Math.floor(s / 250)}.${(s % 250) + 2}`,
      peerAsn: 64600 + s,
      importLimit: V4_PER_SESSION + V6_PER_SESSION * 16 + 10,
      institutions: [{ shortName: `INST-${s}`, originAs: 64600 + s, prefixes }],
    });
  }
  return {
    collector: { name: 'RC-Bench', routerId: '193.51.255.1', asn: 2200 },
    sessions: sessions.reverse(),
  };
}

async function timeIt<T>(f: () => T | Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

export async function routingSection(): Promise<LoadReport> {
  // Loaded here, not at the top of run.ts: BENCH_ROUTING=0 must not even load the service.
  const { checkBirdConfig, renderCollectorConfig } = await import('@guichet/routing');
  const failures: string[] = [];
  const input = benchCollectorInput();
  const render: number[] = [];
  const stringify: number[] = [];
  let text = '';
  let counts = { v4: 0, v6: 0 };
  let bytes = 0;
  // Warm-up of both, then ABAB.
  renderCollectorConfig(input);
  JSON.stringify(input);
  for (let i = 0; i < RUNS; i++) {
    const [a, r] = await timeIt(() => renderCollectorConfig(input));
    render.push(a);
    const [b, json] = await timeIt(() => JSON.stringify(input));
    stringify.push(b);
    text = r.text;
    counts = r.counts;
    bytes = json.length;
    if (r.rejected.length) failures.push(`routing: ${r.rejected.length} prefixes refused in the bench input`);
  }
  if (counts.v4 + counts.v6 !== SESSIONS * (V4_PER_SESSION + V6_PER_SESSION)) {
    failures.push(
      `routing: expected ${SESSIONS * (V4_PER_SESSION + V6_PER_SESSION)} entries, got ${counts.v4 + counts.v6}`,
    );
  }

  const full: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const [a, r] = await timeIt(() => checkBirdConfig(text));
    full.push(a);
    if (!r.ok) failures.push(`routing: bird -p refused the generated config: ${JSON.stringify(r.errors)}`);
    const [b, m] = await timeIt(() => checkBirdConfig(MINIMAL));
    minimal.push(b);
    if (!m.ok) failures.push(`routing: bird -p refused the minimal config: ${JSON.stringify(m.errors)}`);
  }

  const rRender = median(render) / median(stringify);
  const rBird = median(full) / median(minimal);
  const rows = [
    ['renderCollectorConfig (60k prefixes)', fmt(median(render)), fmt(Math.max(...render))],
    [
      `JSON.stringify of the input (${fmt(bytes / 1e6, 1)} MB)`,
      fmt(median(stringify)),
      fmt(Math.max(...stringify)),
    ],
    [
      `bird -p on the generated config (${fmt(text.length / 1e6, 1)} MB)`,
      fmt(median(full)),
      fmt(Math.max(...full)),
    ],
    ['bird -p on a minimal config', fmt(median(minimal)), fmt(Math.max(...minimal))],
  ];
  const lines = [
    `## routing — collector config, ${SESSIONS} sessions, ${counts.v4} IPv4 + ${counts.v6} IPv6 entries, ${RUNS} runs each (ms)`,
    table(['case', 'median', 'max'], rows),
    `render + bird -p (median): ${fmt(median(render) + median(full))} ms`,
  ];
  return {
    text: lines.join('\n'),
    ratios: [
      ['routing render 60k / JSON.stringify', rRender],
      ['routing bird -p 60k / bird -p minimal', rBird],
    ],
    failures,
  };
}
