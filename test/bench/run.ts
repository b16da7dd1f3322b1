import { availableParallelism, loadavg } from 'node:os';
import { antispamSection } from './antispam.js';
import { circuitsSection } from './circuits.js';
import { cliSection } from './cli.js';
import { coldStartSection } from './cold-start.js';
import { consoleSection } from './console.js';
import { domainsSection } from './domains.js';
import { eduroamSection } from './eduroam.js';
import { ipamSection } from './ipam.js';
import { type LoadReport, loadSection } from './load.js';
import { notifySection } from './notify.js';
import { pagesSection } from './pages.js';
import { rdnsCheckSection } from './rdns-check.js';
import { rdnsRecheckSection } from './rdns-recheck.js';
import { routingSection } from './routing.js';
import { fmt, killAllNow, portAnswers, stopAll } from './util.js';

/*
 * `pnpm bench`: ratios measured within one run. Absolute figures move with the machine's mood;
 * a ratio against a baseline taken minutes apart on the same machine is what can be compared
 * between runs and commits.
 *
 *   1+2. GraphQL read vs a plain fastify route doing the same SQL, server in a child process,
 *        with its RSS under load — on in-memory PGlite, then (4.) on PostgreSQL if one answers.
 *   3.   Embedded cold start of the real entry vs a bare fastify through the same tsx.
 *   5.   ipam (ipam.ts): the allocator vs raw single-row INSERTs on the same database
 *        (PostgreSQL when it answers, else PGlite); BENCH_IPAM=0 skips it.
 *   5b.  pages (pages.ts): a page of 100 institutions / requests / tickets with their nested lists
 *        vs the same page of 10, through the real app (PostgreSQL when it answers, else PGlite);
 *        BENCH_PAGES=0 skips it.
 *   6.   routing (routing.ts): a 60,000-prefix collector config, rendered (vs JSON.stringify of
 *        its input) and checked by `bird -p` (vs a minimal config); BENCH_ROUTING=0 skips it.
 *   7.   rdns-check (rdns-check.ts): pre-delegation check time per zone, our checker vs
 *        zonemaster-cli on the same Knot fixture in `unshare -n` (root); BENCH_RDNS=0 skips it.
 *   9.   circuits (circuits.ts): VLAN allocation by 16 clients in one scope vs raw INSERTs into
 *        the same unique index, and design validation of a 50-member L3VPN vs parsing its input
 *        (PostgreSQL when it answers, else PGlite); BENCH_CIRCUITS=0 skips it.
 *   8.   rdns-recheck (rdns-recheck.ts): recheckAll over 10,000 delegated zones on two Knot
 *        servers at concurrency 16 vs the bare checker (no database), and its scaling over 1,000
 *        zones at concurrency 1/16/64 (PostgreSQL when it answers, else PGlite); BENCH_RDNS=0
 *        skips it.
 *   9.   domains (domains.ts): charter + UTS #46 per name vs a bare regex; an EPP round trip
 *        through the stand-in vs a <hello> on the same session; 1,000 names in batches of 7;
 *        BENCH_DOMAINS=0 skips it.
 *   11.  eduroam (eduroam.ts): the national proxy for 500 institutions, generated, staged and
 *        checked by `freeradius -XC` vs `-XC` on the stock configuration; one Status-Server round
 *        over 1,000 servers (3 real, the rest silent) vs the timeout bound; BENCH_EDUROAM=0 skips it.
 *   9.   notify (notify.ts): 450 notification emails drained by the job runner with the worker's
 *        settings into an SMTP server on loopback vs a bare nodemailer pool sending as many;
 *        BENCH_NOTIFY=0 skips it.
 *
 *   13.  console (console.ts): the NOC queue's first page with 10,000 open tickets, /noc to 25
 *        rows on screen in headless Chromium vs the page's ticket query alone over HTTP
 *        (PostgreSQL when it answers, else PGlite); BENCH_CONSOLE=0 skips it.
 *
 *   12.  cli (cli.ts): 200 keyed requestPrefix calls vs 2 requestPrefixes calls of 100, over
 *        one keep-alive connection; `guichet whoami` spawned vs `node -e` with a bare fetch of
 *        the same query; BENCH_CLI=0 skips it.
 *   13.  antispam (antispam.ts): the gateway's Postfix maps for 500 domains of 50 institutions
 *        rendered and checked (postfix check + postmap -q) vs postfix check of a minimal
 *        configuration; one institution's self-tests (slapd, smtp-server) vs a bare ldapsearch
 *        + SMTP connect; BENCH_ANTISPAM=0 skips it.
 *
 * Env: BENCH_ONLY (comma-separated section names, e.g. `cold start`: run only those),
 * BENCH_SECONDS (per load case, default 5), BENCH_DATABASE_URL (PostgreSQL admin URL;
 * default postgres://postgres@127.0.0.1:5432/postgres when that port answers).
 * Exits 1 when any case had errors, non-2xx or unexpected bodies, or could not run.
 */

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
if (!(seconds > 0)) {
  process.stderr.write(`BENCH_SECONDS must be a positive number, got "${process.env.BENCH_SECONDS}"\n`);
  process.exit(2);
}

// Whatever happens to this process, its servers go with it.
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

const ratios: [string, number][] = [];
const failures: string[] = [];
const print = (s = '') => process.stdout.write(`${s}\n`);

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

async function section(name: string, run: () => Promise<LoadReport>): Promise<void> {
  if (only && !only.includes(name)) return;
  try {
    const r = await run();
    print(r.text);
    ratios.push(...r.ratios);
    failures.push(...r.failures);
  } catch (e) {
    failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    print(`## ${name}: FAILED (see below)`);
  }
  print();
}

const started = Date.now();
print(
  `# Guichet bench — node ${process.version}, ${availableParallelism()} CPUs, ${seconds} s per load case`,
);
print('# autocannon runs in this process, each server in a child; only the ratios compare across runs');
// Other work on the machine skews absolute figures: say how busy it was.
const load = () =>
  loadavg()
    .map((x) => fmt(x))
    .join(' ');
print(`# load average at start: ${load()}`);
print();

await section('pglite', () => loadSection('pglite', seconds));

const pgUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const given = Boolean(process.env.BENCH_DATABASE_URL);
const pgUp = given || (await portAnswers('127.0.0.1', 5432));
if (pgUp) {
  await section('postgres', () => loadSection('postgres', seconds, pgUrl));
} else {
  print(
    '## postgres: skipped — nothing answers at 127.0.0.1:5432 (set BENCH_DATABASE_URL to point elsewhere)',
  );
  print();
}

if (process.env.BENCH_IPAM === '0') {
  print('## ipam: skipped (BENCH_IPAM=0)');
  print();
} else {
  await section('ipam', () => ipamSection(pgUp ? pgUrl : undefined));
}

if (process.env.BENCH_PAGES === '0') {
  print('## pages: skipped (BENCH_PAGES=0)');
  print();
} else {
  await section('pages', () => pagesSection(pgUp ? pgUrl : undefined));
}

if (process.env.BENCH_ROUTING === '0') {
  print('## routing: skipped (BENCH_ROUTING=0)');
  print();
} else {
  await section('routing', routingSection);
}

if (process.env.BENCH_RDNS === '0') {
  print('## rdns-check: skipped (BENCH_RDNS=0)');
  print();
} else {
  await section('rdns-check', rdnsCheckSection);
}

if (process.env.BENCH_RDNS === '0') {
  print('## rdns-recheck: skipped (BENCH_RDNS=0)');
  print();
} else {
  await section('rdns-recheck', () => rdnsRecheckSection(pgUp ? pgUrl : undefined));
}

if (process.env.BENCH_DOMAINS === '0') {
  print('## domains: skipped (BENCH_DOMAINS=0)');
  print();
} else {
  await section('domains', domainsSection);
}

if (process.env.BENCH_CIRCUITS === '0') {
  print('## circuits: skipped (BENCH_CIRCUITS=0)');
  print();
} else {
  await section('circuits', () => circuitsSection(pgUp ? pgUrl : undefined));
}

if (process.env.BENCH_EDUROAM === '0') {
  print('## eduroam: skipped (BENCH_EDUROAM=0)');
  print();
} else {
  await section('eduroam', eduroamSection);
}

if (process.env.BENCH_NOTIFY === '0') {
  print('## notify: skipped (BENCH_NOTIFY=0)');
  print();
} else {
  await section('notify', () => notifySection(pgUp ? pgUrl : undefined));
}

if (process.env.BENCH_CLI === '0') {
  print('## cli: skipped (BENCH_CLI=0)');
  print();
} else {
  await section('cli', cliSection);
}

if (process.env.BENCH_ANTISPAM === '0') {
  print('## antispam: skipped (BENCH_ANTISPAM=0)');
  print();
} else {
  await section('antispam', antispamSection);
}

if (process.env.BENCH_CONSOLE === '0') {
  print('## console: skipped (BENCH_CONSOLE=0)');
  print();
} else {
  await section('console', () => consoleSection(pgUp ? pgUrl : undefined));
}

await section('cold start', coldStartSection);

print('ratios:');
for (const [name, value] of ratios) print(`  ${name}: ${fmt(value)}`);
print();
if (failures.length) {
  print(`FAILED (${failures.length}):`);
  for (const f of failures) print(`  - ${f}`);
}
print(`done in ${fmt((Date.now() - started) / 1000, 0)} s; load average at end: ${load()}`);
// Explicit: a stray handle (a keep-alive socket) must not keep the bench from ending.
process.exit(failures.length ? 1 : 0);
