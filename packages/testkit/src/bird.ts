import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, spawnDaemon } from './daemon.js';

/**
 * A throwaway BIRD 2 daemon on loopback for peers-tier tests (reference/peers.md §4). Spawned
 * directly in the foreground (`bird -f`, no shell, so `pid` is bird's own) under
 * `setpriv --pdeathsig KILL`, ready when `birdc show status` says "Daemon is up". Call `stop()`
 * in afterAll; an exit hook kills it too if the worker ends first.
 */

export interface Bird {
  pid: number;
  dir: string;
  /** Absolute path of the configuration it started with. */
  configFile: string;
  socket: string;
  /** Spawn → "Daemon is up", in ms. */
  readyMs: number;
  /** `birdc -s SOCK <command>` (one CLI line, quotes kept: `configure "/abs/f.conf"`); stdout. */
  birdc(command: string): Promise<string>;
  /** Writes `text` to a new file in the temp dir and runs `configure "<file>"`; birdc's output. */
  configure(text: string): Promise<string>;
  /** What the daemon wrote to stderr so far (last 16 kB). */
  log(): string;
  /** SIGTERM, SIGKILL after 3 s, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

const READY_DEADLINE_MS = 10_000;

export async function startBird(opts: { config: string }): Promise<Bird> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bird-'));
  const configFile = join(dir, 'bird.conf');
  const socket = join(dir, 'bird.ctl');
  writeFileSync(configFile, opts.config);
  const t0 = performance.now();
  const args = ['-f', '-c', configFile, '-s', socket, '-P', join(dir, 'bird.pid')];
  const daemon = spawnDaemon('bird', args, dir);
  const { child, stop } = daemon;

  const birdc = (command: string) => runBirdc(socket, command);
  // Poll a real query; the short pause between polls only spaces them out.
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (daemon.exited()) {
      await stop();
      throw new Error(`bird exited (${child.exitCode ?? child.signalCode}): ${daemon.stderr().trim()}`);
    }
    const status = await birdc('show status').catch(() => '');
    if (status.includes('Daemon is up')) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bird not ready after ${READY_DEADLINE_MS} ms: ${daemon.stderr().trim()}`);
    }
    await delay(10);
  }
  let generation = 0;
  return {
    pid: child.pid!,
    dir,
    configFile,
    socket,
    readyMs: Math.round(performance.now() - t0),
    birdc,
    async configure(text: string) {
      const file = join(dir, `bird-${++generation}.conf`);
      writeFileSync(file, text);
      return birdc(`configure "${file}"`);
    },
    log: daemon.stderr,
    stop,
  };
}

/** A TCP port free on `host` right now (for BGP sessions between two loopback addresses). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function runBirdc(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // birdc joins its arguments into one CLI line: pass it whole, quotes included.
    execFile('birdc', ['-s', socket, command], { timeout: 5000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`birdc ${command}: ${stderr.trim() || stdout.trim() || err.message}`))
        : resolve(stdout),
    );
  });
}
