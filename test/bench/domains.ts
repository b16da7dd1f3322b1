import { checkCharter, EppSession, Registry } from '@guichet/domains';
import { startEppStandin } from '@guichet/testkit';
import type { LoadReport } from './load.js';
import { fmt } from './util.js';

/*
 * Section "domains" of `pnpm bench`:
 *   1. the charter + UTS #46 check of a name vs a bare regex test of the same names;
 *   2. an EPP round trip (domain check of one name) through the stand-in registry vs a bare
 *      TLS echo of a frame of the same size on a connection to the same server process (a
 *      `<hello>`, which the stand-in answers without any object work);
 *   3. 1,000 names checked in batches of 7 (143 commands), per name, vs one round trip.
 * In-process, no database. BENCH_DOMAINS=0 skips it (run.ts).
 */

const NAMES = Array.from({ length: 2000 }, (_, i) =>
  i % 3 === 0 ? `école-${i}.fr` : i % 3 === 1 ? `labo-${i}.prd.fr` : `univ${i}-exemple.fr`,
);
const REGEX =
  /^[a-z0-9àáâãäåæçèéêëìíîïñòóôõöœùúûüýÿß]([a-z0-9àáâãäåæçèéêëìíîïñòóôõöœùúûüýÿß-]{0,61}[a-z0-9àáâãäåæçèéêëìíîïñòóôõöœùúûüýÿß])?\.(prd\.)?fr$/u;

function perItemUs(run: () => void, items: number, rounds = 5): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t0) / 1000 / items);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)] ?? 0;
}

async function medianMs(n: number, f: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t.sort((a, b) => a - b)[Math.floor(n / 2)] ?? 0;
}

export async function domainsSection(): Promise<LoadReport> {
  const failures: string[] = [];
  let ok = 0;
  const charterUs = perItemUs(() => {
    ok = 0;
    for (const n of NAMES) if (checkCharter(n).ok) ok++;
  }, NAMES.length);
  let hits = 0;
  const regexUs = perItemUs(() => {
    hits = 0;
    for (const n of NAMES) if (REGEX.test(n)) hits++;
  }, NAMES.length);
  if (ok !== NAMES.length || hits !== NAMES.length)
    failures.push(`domains: charter ${ok}, regex ${hits} of ${NAMES.length} names`);

  const standin = await startEppStandin();
  const endpoint = {
    host: standin.host,
    port: standin.port,
    clID: standin.clID,
    password: standin.password,
    ca: standin.ca,
    servername: 'localhost',
  };
  const session = new EppSession(endpoint, { helloIntervalMs: 0 });
  const registry = new Registry(session, standin.clID);
  try {
    await registry.check(['warm-up.fr']);
    const eppMs = await medianMs(200, () => registry.check(['un-nom.fr']));
    // The baseline: a `<hello>` frame and its greeting on the same TLS session — the wire and the
    // framing without any object work on either side.
    const helloMs = await medianMs(200, () => session.run((c) => c.hello()));
    const names = Array.from({ length: 1000 }, (_, i) => `lot-${i}.fr`);
    const t0 = process.hrtime.bigint();
    const got = await registry.check(names);
    const batchMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (got.length !== 1000) failures.push(`domains: 1,000-name check returned ${got.length}`);
    const text = [
      '## domains',
      `charter + UTS #46: ${fmt(charterUs, 2)} µs/name; bare regex: ${fmt(regexUs, 3)} µs/name (${NAMES.length} names)`,
      `EPP domain check round trip: ${fmt(eppMs, 2)} ms; <hello> round trip on the same session: ${fmt(helloMs, 2)} ms`,
      `1,000 names in batches of 7 (143 commands): ${fmt(batchMs, 0)} ms, ${fmt(batchMs / 1000, 2)} ms/name`,
    ].join('\n');
    return {
      text,
      ratios: [
        ['domains charter+UTS46 / bare regex (per name)', charterUs / regexUs],
        ['domains EPP check round trip / <hello> round trip', eppMs / helloMs],
        ['domains 1,000 names in batches of 7 / one round trip', batchMs / eppMs],
      ],
      failures,
    };
  } finally {
    await session.close();
    await standin.stop();
  }
}
