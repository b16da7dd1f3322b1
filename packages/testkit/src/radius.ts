import { createSocket } from 'node:dgram';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Daemon, delay, spawnDaemon } from './daemon.js';

/**
 * Throwaway FreeRADIUS 3.2 servers on loopback for peers-tier tests (recipe: reference/peers.md
 * §6): a national proxy and institution servers, each from a copy of Debian's
 * /etc/freeradius/3.0 with its own listen sections (the stock ones bind every address on
 * 1812/1813), the inner-tunnel moved off 18120, no `user`/`group` switch, and the caller's
 * clients.conf, proxy.conf and users. Runs `freeradius -f -xx -l <log>` (foreground, debug log to
 * a file the test reads), ready at "Ready to process requests".
 */

export const STOCK_RADDB = '/etc/freeradius/3.0';

export interface RaddbOptions {
  /** Listen address (127.0.0.x). */
  address: string;
  /** Auth port; accounting listens on the next one. */
  authPort: number;
  /** The inner-tunnel virtual server's port (the stock one takes 18120). */
  innerPort: number;
  clients?: string;
  proxy?: string;
  /** Entries put first in mods-config/files/authorize (`"alice@x" Cleartext-Password := "pw"`). */
  users?: string;
}

/** Removes the top-level `listen { … }` blocks of a virtual server file and adds ours. */
function relisten(text: string, address: string, authPort: number): string {
  const out: string[] = [];
  let depth = 0;
  let skipping = false;
  for (const line of text.split('\n')) {
    const code = line.replace(/#.*/, '');
    if (!skipping && depth === 1 && /^\s*listen\s*\{/.test(code)) skipping = true;
    if (!skipping) out.push(line);
    if (depth === 0 && /^server\s+\S+\s*\{/.test(code)) {
      out.push(
        `listen {\n\ttype = auth\n\tipaddr = ${address}\n\tport = ${authPort}\n}`,
        `listen {\n\ttype = acct\n\tipaddr = ${address}\n\tport = ${authPort + 1}\n}`,
      );
    }
    depth += (code.match(/\{/g) ?? []).length - (code.match(/\}/g) ?? []).length;
    if (skipping && depth === 1) skipping = false;
  }
  return out.join('\n');
}

/** Writes a complete FreeRADIUS configuration directory at `dir` (created; must not exist). */
export function makeRaddb(dir: string, o: RaddbOptions): void {
  cpSync(STOCK_RADDB, dir, { recursive: true, verbatimSymlinks: true });
  const conf = join(dir, 'radiusd.conf');
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8')
      .replace(/^(\s*)(user|group) = freerad/gm, '$1# $2 = freerad')
      .replace(/^logdir = .*/m, `logdir = ${join(dir, 'log')}`)
      .replace(/^run_dir = .*/m, `run_dir = ${join(dir, 'run')}`),
  );
  mkdirSync(join(dir, 'log'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  const site = join(dir, 'sites-available', 'default');
  writeFileSync(site, relisten(readFileSync(site, 'utf8'), o.address, o.authPort));
  const inner = join(dir, 'sites-available', 'inner-tunnel');
  writeFileSync(inner, readFileSync(inner, 'utf8').replace(/port = 18120/, `port = ${o.innerPort}`));
  if (o.clients !== undefined) writeFileSync(join(dir, 'clients.conf'), o.clients);
  if (o.proxy !== undefined) writeFileSync(join(dir, 'proxy.conf'), o.proxy);
  if (o.users !== undefined) {
    const users = join(dir, 'mods-config', 'files', 'authorize');
    writeFileSync(users, `${o.users.trimEnd()}\n\n${readFileSync(users, 'utf8')}`);
  }
}

/** A UDP port free on `host` with the next one free too (auth and accounting). */
export async function freeUdpPortPair(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    if (port >= 65534) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port + 1, host, () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free UDP port pair');
}

export interface Radius {
  address: string;
  authPort: number;
  acctPort: number;
  /** The configuration directory it runs with (`-d`). */
  raddb: string;
  pid(): number;
  readyMs: number;
  /** The debug log so far (whole file). */
  log(): string;
  /** The log written since `mark` (a length returned by `logMark()`). */
  logSince(mark: number): string;
  logMark(): number;
  /** Stops and starts it again on the same configuration directory (FreeRADIUS 3 re-reads clients and realms only at start). */
  restart(): Promise<void>;
  /** SIGTERM, SIGKILL after 3 s, then removes its files. Idempotent. */
  stop(): Promise<void>;
}

export interface RadiusOptions {
  /** Loopback address (127.0.0.1 by default). */
  address?: string;
  clients?: string;
  proxy?: string;
  users?: string;
  /**
   * Run this existing configuration directory instead of building one (e.g. the national proxy
   * configuration Guichet deploys); its listen address and port must be given too.
   */
  raddb?: string;
  authPort?: number;
}

const READY_DEADLINE_MS = 15_000;

export async function startRadius(o: RadiusOptions = {}): Promise<Radius> {
  const address = o.address ?? '127.0.0.1';
  const base = mkdtempSync(join(tmpdir(), 'guichet-radius-'));
  const logFile = join(base, 'radius.log');
  let raddb: string;
  let authPort: number;
  if (o.raddb) {
    if (!o.authPort) throw new Error('startRadius: a given raddb needs its authPort');
    raddb = o.raddb;
    authPort = o.authPort;
  } else {
    authPort = o.authPort ?? (await freeUdpPortPair(address));
    raddb = join(base, 'raddb');
    makeRaddb(raddb, {
      address,
      authPort,
      innerPort: await freeUdpPortPair('127.0.0.1'),
      ...(o.clients === undefined ? {} : { clients: o.clients }),
      ...(o.proxy === undefined ? {} : { proxy: o.proxy }),
      ...(o.users === undefined ? {} : { users: o.users }),
    });
  }
  const onExit = () => rmSync(base, { recursive: true, force: true });
  process.once('exit', onExit);

  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let daemon: Daemon;
  let generation = 0;
  const launch = async () => {
    const mark = log().length;
    // spawnDaemon removes its directory at stop: give it an empty one per run, keep `base`.
    const runDir = join(base, `run-${++generation}`);
    mkdirSync(runDir);
    daemon = spawnDaemon('freeradius', ['-f', '-xx', '-l', logFile, '-d', raddb], runDir);
    const deadline = Date.now() + READY_DEADLINE_MS;
    for (;;) {
      if (log().slice(mark).includes('Ready to process requests')) return;
      if (daemon.exited()) {
        throw new Error(`freeradius exited: ${daemon.stderr().trim()} ${log().slice(mark).slice(-2000)}`);
      }
      if (Date.now() > deadline) {
        await daemon.stop();
        throw new Error(
          `freeradius not ready after ${READY_DEADLINE_MS} ms: ${log().slice(mark).slice(-2000)}`,
        );
      }
      await delay(10);
    }
  };
  const t0 = performance.now();
  try {
    await launch();
  } catch (e) {
    onExit();
    process.removeListener('exit', onExit);
    throw e;
  }
  const readyMs = Math.round(performance.now() - t0);
  let stopped: Promise<void> | undefined;
  return {
    address,
    authPort,
    acctPort: authPort + 1,
    raddb,
    pid: () => daemon.child.pid as number,
    readyMs,
    log,
    logMark: () => log().length,
    logSince: (mark) => log().slice(mark),
    async restart() {
      await daemon.stop();
      await launch();
    },
    stop() {
      stopped ??= (async () => {
        await daemon.stop();
        process.removeListener('exit', onExit);
        onExit();
      })();
      return stopped;
    },
  };
}
