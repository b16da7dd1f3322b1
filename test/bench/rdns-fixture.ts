import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@guichet/db';
import { createPool } from '@guichet/ipam';
import type { Knot } from '@guichet/testkit';
import { nocContext, RPSL } from './child-db.js';
import { type Child, fmt, mb, median, rssKb, sleep, start, stop, table } from './util.js';

/*
 * The fixture of rdns-recheck.ts: n /48 nibble zones (2001:660:0000::/48 …: SOA, 2 NS, 1 PTR)
 * served by two Knot instances (127.0.0.2 and 127.0.0.3, same port), Knot's load time for them
 * (a cold knotd on those files, from spawn until `knotc zone-status` shows every zone loaded,
 * against the same for one zone), and their published rdns_delegations in the database.
 */

export const NS = ['ns1.bench-univ.fr', 'ns2.bench-univ.fr'];
const PARENT = '0.6.6.0.1.0.0.2.ip6.arpa';
const KNOT_RUNS = 3;

/** Thousands separated: 10,000. */
export const int = (x: number) => Math.round(x).toLocaleString('en-US');

export interface Zone {
  zone: string;
  prefix: string;
}

/** 2001:660:XXXX::/48 for XXXX = 0 … n-1, with its nibble zone. */
export function benchZones(n: number): Zone[] {
  return Array.from({ length: n }, (_, i) => {
    const hex = i.toString(16).padStart(4, '0');
    return { zone: `${[...hex].reverse().join('.')}.${PARENT}`, prefix: `2001:660:${i.toString(16)}::/48` };
  });
}

const zoneText = (zone: string) =>
  [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    `@ IN SOA ${NS[0]}. hostmaster.bench-univ.fr. 2026112301 14400 3600 1209600 3600`,
    ...NS.map((n) => `@ IN NS ${n}.`),
    `${Array(20).fill('0').join('.').replace(/^0/, '1')} IN PTR host.bench-univ.fr.`,
  ].join('\n');

/** How many zones a knotd serves (`knotc zone-status`: serial `-` until the zone is loaded). */
function loadedZones(conf: string): Promise<number> {
  return new Promise((res) =>
    execFile(
      'knotc',
      ['-c', conf, 'zone-status', '+serial'],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      // Not answering yet (control socket not bound): nothing served.
      (err, stdout) => res(err ? 0 : (stdout.match(/serial: \d+/g) ?? []).length),
    ),
  );
}

async function untilLoaded(conf: string, n: number, exited: () => string | null): Promise<void> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    if ((await loadedZones(conf)) >= n) return;
    const why = exited();
    if (why !== null) throw new Error(`knotd exited: ${why}`);
    if (performance.now() > deadline) throw new Error(`knotd did not load its ${n} zones in 120 s`);
    await sleep(n > 1 ? 50 : 2);
  }
}

/**
 * A cold knotd on the zone files `knot` serves, timed from spawn until `knotc zone-status` shows
 * every zone of `zones` loaded (testkit's readiness probe, kdig with a 1 s timeout, is too coarse
 * for this). Its config is `knot`'s own with another rundir, database and listen address, and
 * the zone list cut to `zones`. Stopped and removed before returning.
 */
async function knotColdStart(knot: Knot, zones: string[], listen: string) {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-knot-'));
  let child: Child | undefined;
  try {
    for (const d of ['run', 'db']) mkdirSync(join(dir, d));
    const base = readFileSync(knot.conf, 'utf8');
    const head = base
      .slice(0, base.indexOf('\nzone:\n'))
      .replace(`listen: ${knot.address}@${knot.port}`, `listen: ${listen}`)
      .replaceAll(join(knot.dir, 'run'), join(dir, 'run'))
      .replaceAll(join(knot.dir, 'db'), join(dir, 'db'));
    if (!head.includes(listen)) throw new Error(`unexpected testkit knot.conf:\n${base.slice(0, 2000)}`);
    const conf = join(dir, 'knot.conf');
    writeFileSync(conf, [head, 'zone:', ...zones.map((z) => `  - domain: "${z}."`), ''].join('\n'));
    // As testkit runs daemons: killed with this process even on SIGKILL.
    const argv = existsSync('/usr/bin/setpriv') ? ['--pdeathsig', 'KILL', 'knotd'] : [];
    const t0 = performance.now();
    const c = start(argv.length ? 'setpriv' : 'knotd', [...argv, '-c', conf], process.env);
    child = c;
    await untilLoaded(conf, zones.length, () =>
      c.proc.exitCode !== null || c.proc.signalCode !== null ? c.output().trim() : null,
    );
    return { ms: performance.now() - t0, rssKb: rssKb(c.pid) };
  } finally {
    if (child) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `zones` on two Knot servers (pushed to `knots` as they start, for the caller to stop), then
 * cold starts on their files, one zone vs all, interleaved. Returns the servers' port, the
 * all ÷ one load-time ratio (medians) and the two tables.
 */
export async function serveZones(zones: Zone[], knots: Knot[]) {
  const { freeTcpPort, startKnot } = await import('@guichet/testkit');
  const served = zones.map((z) => ({ name: z.zone, text: zoneText(z.zone) }));
  const port = await freeTcpPort('127.0.0.2');
  const serving: (string | number)[][] = [];
  for (const listen of ['127.0.0.2', '127.0.0.3']) {
    const t = performance.now();
    const k = await startKnot({ listen, port, zones: served });
    knots.push(k);
    const returnedMs = performance.now() - t;
    await untilLoaded(k.conf, zones.length, () => null);
    const loadedMs = performance.now() - t;
    serving.push([
      `${listen}, ${int(zones.length)} zones`,
      fmt(returnedMs, 0),
      fmt(loadedMs, 0),
      mb(rssKb(k.pid)),
    ]);
  }
  const listen = `127.0.0.4@${await freeTcpPort('127.0.0.4')}`;
  const cold: Record<'one' | 'all', { ms: number; rssKb: number }[]> = { one: [], all: [] };
  const names = zones.map((z) => z.zone);
  for (let i = 0; i < KNOT_RUNS; i++) {
    cold.one.push(await knotColdStart(knots[0]!, names.slice(0, 1), listen));
    cold.all.push(await knotColdStart(knots[0]!, names, listen));
  }
  const med = (xs: { ms: number }[]) => median(xs.map((x) => x.ms));
  const coldRow = (name: string, xs: { ms: number; rssKb: number }[]) => [
    name,
    fmt(med(xs), 0),
    xs.map((x) => fmt(x.ms, 0)).join(' '),
    mb(xs[0]!.rssKb),
  ];
  const text = [
    table(
      [
        'the 2 servers (testkit startKnot, one after the other)',
        'startKnot ms',
        'every zone loaded ms',
        'RSS MB',
      ],
      serving,
    ),
    '',
    table(
      [
        `knotd cold start → every zone loaded (knotc zone-status), ${KNOT_RUNS} runs`,
        'median ms',
        'runs ms',
        'RSS MB',
      ],
      [coldRow('1 zone (baseline)', cold.one), coldRow(`${int(zones.length)} zones`, cold.all)],
    ),
  ].join('\n');
  return { port, coldRatio: med(cold.all) / med(cold.one), text };
}

/**
 * One institution, one assignment (a /34 covering the zones' /48s: the delegations only need
 * their foreign keys) and a published rdns_delegations row per zone, by bulk SQL.
 */
export async function seedDelegations(database: Database, zones: Zone[]) {
  const t0 = performance.now();
  const [inst] = await database.query<{ id: string }>(
    `INSERT INTO membership_institutions (name, short_name, kind, siren, collector)
     VALUES ('Bench université', 'BENCHRDNS', 'tutelle', '123456789', 'RRTHD') RETURNING id`,
  );
  const pool = await createPool(database.db, nocContext(), {
    name: 'bench v6',
    prefix: '2001:660::/32',
    status: 'ALLOCATED-BY-RIR',
    purpose: 'institutions',
    ...RPSL,
  });
  const [asg] = await database.query<{ id: string }>(
    `INSERT INTO ipam_assignments (pool_id, institution_id, prefix, family, status, lifecycle, purpose,
       netname, country, admin_c, tech_c, mnt_by, created_by, activated_at)
     VALUES ($1, $2, '2001:660::/34', 6, 'ASSIGNED', 'active', 'bench', 'BENCH-RDNS', 'FR',
       '{NOC1-RIPE}', '{NOC1-RIPE}', '{EXAMPLE-MNT}', 'bench', now()) RETURNING id`,
    [pool.id, inst!.id],
  );
  const nameservers = NS.map((name) => ({ name, addresses: [] as string[] }));
  const list = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]::text[]`;
  await database.exec(
    `INSERT INTO rdns_delegations (zone, prefix, institution_id, assignment_id, nameservers, ds, state, published_at)
     SELECT z, p::cidr, '${inst!.id}', '${asg!.id}', '${JSON.stringify(nameservers)}'::jsonb, '[]'::jsonb,
            'published', now()
       FROM unnest(${list(zones.map((z) => z.zone))}, ${list(zones.map((z) => z.prefix))}) AS t(z, p);
     ANALYZE;`,
  );
  const seedSec = (performance.now() - t0) / 1000;
  const [{ n: published } = { n: 0 }] = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rdns_delegations WHERE state = 'published'`,
  );
  if (published !== zones.length)
    throw new Error(`seeded ${published} published delegations, not ${zones.length}`);
  return { nameservers, published, seedSec };
}
