import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A throwaway rspamd on loopback: a copy of /etc/rspamd made by `copyConfig` (the antispam line's
 * own rewrite of `$CONFDIR`, so tests read the configuration the way its check does), the normal
 * worker and the controller on free ports, no proxy or fuzzy, a DNS that answers nothing (no
 * network lookups), the files given written into it. Spawned in its own process group so stop()
 * ends master and workers together.
 */

export interface Rspamd {
  /** The normal worker (`rspamc -h`). */
  address: string;
  /** The controller (learn, stat). */
  controller: string;
  dir: string;
  /** SIGHUP to the master: it rereads its configuration and replaces its workers. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = createConnection(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

export async function startRspamd(
  files: Record<string, string>,
  copyConfig: (system: string, dir: string) => void,
  opts: { redis?: boolean } = {},
): Promise<Rspamd> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-'));
  copyConfig('/etc/rspamd', dir);
  const port = await freePort();
  const controller = await freePort();
  const local = (name: string, text: string) => writeFileSync(join(dir, 'local.d', name), `${text}\n`);
  // Bayes learning (rspamc learn_*, stat) needs its Redis: a private one, no persistence.
  let redis: ChildProcess | null = null;
  if (opts.redis) {
    const rport = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(rport), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    const until = Date.now() + 10_000;
    while (!(await answers(rport))) {
      if (Date.now() > until) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    local('redis.conf', `servers = "127.0.0.1:${rport}";`);
    // rspamd 3.4's Bayes backend does not take the global redis servers: name them here.
    local('classifier-bayes.conf', `servers = "127.0.0.1:${rport}";`);
  }
  local('worker-normal.inc', `bind_socket = "127.0.0.1:${port}";\ncount = 1;`);
  local('worker-controller.inc', `bind_socket = "127.0.0.1:${controller}";\ncount = 1;`);
  local('worker-proxy.inc', 'enabled = false;');
  local('worker-fuzzy.inc', 'enabled = false;');
  local('fuzzy_check.conf', 'enabled = false;');
  local(
    'options.inc',
    `pidfile = "${dir}/rspamd.pid";\ndns { nameserver = ["127.0.0.1:1"]; timeout = 0.5s; retransmits = 1; }`,
  );
  local('logging.inc', `type = "file"; filename = "${dir}/rspamd.log"; level = "error";`);
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const asRoot = userInfo().uid === 0 ? ['-u', 'root', '-g', 'root'] : [];
  const child: ChildProcess = spawn('rspamd', ['-c', join(dir, 'rspamd.conf'), '-f', ...asRoot], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {
            // gone
          }
          r(undefined);
        }, 3000);
        child.once('exit', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`rspamd did not start on 127.0.0.1:${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // The spawned process is the master (-f: it does not fork away).
  const reload = async () => {
    if (child.pid) process.kill(child.pid, 'SIGHUP');
  };
  return { address: `127.0.0.1:${port}`, controller: `127.0.0.1:${controller}`, dir, reload, stop };
}
