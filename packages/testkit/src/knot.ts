import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './bird.js';
import { delay, spawnDaemon } from './daemon.js';

/**
 * A throwaway Knot DNS (knotd 3.2) on a loopback address for peers-tier tests (recipe:
 * reference/peers.md §2). Zones are written as files in a temp dir, `knotd -c knot.conf` runs in
 * the foreground (spawned directly, so `pid` is knotd's), ready when `kdig` gets any answer.
 * Several instances can run at once on 127.0.0.2, 127.0.0.3… (Knot binds any 127.0.0.x).
 *
 * Fault fixtures come from the zone text and the zone list:
 * - different SOA serial / NS set: serve another zone text;
 * - lame (REFUSED): start an instance with `zones: []` (or without the zone asked for);
 * - DNSSEC: serve the text `signZone()` (dnssec.ts) returns, with its DS; a bare DNSKEY RR in an
 *   unsigned zone is the "DNSKEY not signed" fixture;
 * - TCP off: not possible — Knot always listens on both UDP and TCP for each `listen` address.
 */

export interface KnotZone {
  /** Zone name, with or without the trailing dot. */
  name: string;
  /** Zone file text ($ORIGIN optional: Knot uses the zone name). */
  text: string;
}

export interface Knot {
  address: string;
  port: number;
  pid: number;
  dir: string;
  conf: string;
  readyMs: number;
  /** `knotc -c conf <args>` (e.g. `zone-reload 2.0.192.in-addr.arpa.`), stdout. */
  knotc(...args: string[]): Promise<string>;
  /** Rewrites a zone file and reloads it. */
  replaceZone(zone: KnotZone): Promise<void>;
  /** SIGTERM, SIGKILL after 3 s, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface KnotOptions {
  zones: KnotZone[];
  /** Loopback address to listen on; 127.0.0.1 by default. */
  listen?: string;
  /** Port; a free one by default. */
  port?: number;
  /** Extra YAML appended to the `server:` section (indented by the caller with 4 spaces). */
  options?: string;
}

const READY_DEADLINE_MS = 10_000;

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export async function startKnot(opts: KnotOptions): Promise<Knot> {
  const address = opts.listen ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freeTcpPort(address));
    const dir = mkdtempSync(join(tmpdir(), 'guichet-knot-'));
    try {
      return await launch(dir, address, port, opts);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      // A port freed a moment ago can be taken before knotd binds it: knotd then exits at once.
      if (attempt >= 3 || opts.port !== undefined || !(e instanceof KnotExited)) throw e;
    }
  }
}

class KnotExited extends Error {}

function writeZone(dir: string, zone: KnotZone) {
  writeFileSync(
    join(dir, 'zones', `${fqdn(zone.name).slice(0, -1)}.zone`),
    zone.text.endsWith('\n') ? zone.text : `${zone.text}\n`,
  );
}

async function launch(dir: string, address: string, port: number, opts: KnotOptions): Promise<Knot> {
  for (const d of ['run', 'db', 'zones']) mkdirSync(join(dir, d));
  for (const z of opts.zones) writeZone(dir, z);
  const conf = join(dir, 'knot.conf');
  writeFileSync(
    conf,
    [
      'server:',
      `    rundir: "${join(dir, 'run')}"`,
      `    listen: ${address}@${port}`,
      ...(opts.options ? [opts.options] : []),
      'database:',
      `    storage: "${join(dir, 'db')}"`,
      'control:',
      `    listen: "${join(dir, 'run', 'knot.sock')}"`,
      'log:',
      '  - target: stderr',
      '    any: warning',
      'template:',
      '  - id: default',
      `    storage: "${join(dir, 'zones')}"`,
      '    file: "%s.zone"',
      '    zonefile-sync: -1',
      '    journal-content: none',
      ...(opts.zones.length ? ['zone:', ...opts.zones.map((z) => `  - domain: "${fqdn(z.name)}"`)] : []),
      '',
    ].join('\n'),
  );
  const t0 = performance.now();
  const daemon = spawnDaemon('knotd', ['-c', conf], dir, 8000);
  const probe = opts.zones[0] ? fqdn(opts.zones[0].name) : '.';
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (daemon.exited()) {
      daemon.forget();
      await daemon.gone;
      throw new KnotExited(`knotd exited on ${address}@${port}: ${daemon.stderr().trim()}`);
    }
    // Ready: the zone's SOA is served (or, with no zone, any answer at all — REFUSED).
    if (await answers(address, port, probe, opts.zones.length > 0)) break;
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(
        `knotd on ${address}@${port} not ready after ${READY_DEADLINE_MS} ms: ${daemon.stderr().trim()}`,
      );
    }
    await delay(10);
  }
  const knotc = (...args: string[]) => run('knotc', ['-c', conf, ...args]);
  return {
    address,
    port,
    pid: daemon.child.pid!,
    dir,
    conf,
    readyMs: Math.round(performance.now() - t0),
    knotc,
    async replaceZone(zone) {
      writeZone(dir, zone);
      // -b: wait until the reload is done, so the next query sees the new zone.
      await knotc('-b', 'zone-reload', fqdn(zone.name));
    },
    stop: daemon.stop,
  };
}

function answers(address: string, port: number, zone: string, needSoa: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'kdig',
      // Over TCP: before knotd listens the connection is refused at once, where a UDP probe
      // would wait out its whole timeout (1 s, kdig's least) for every start.
      [`@${address}`, '-p', String(port), '+tcp', '+time=1', '+retry=0', '+norec', 'SOA', zone],
      { timeout: 3000 },
      (err, stdout) => {
        if (err) return resolve(false);
        resolve(needSoa ? /status: NOERROR/.test(stdout) && /\tSOA\t/.test(stdout) : /status: /.test(stdout));
      },
    );
  });
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`))
        : resolve(stdout),
    );
  });
}

/** `kdig @server -p port +norec <name> <type>`: BIND-independent eyes on what a server answers. */
export function kdig(server: { address: string; port: number }, name: string, type: string): Promise<string> {
  return run('kdig', [`@${server.address}`, '-p', String(server.port), '+norec', name, type]);
}
