import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of a test's own (initdb in a temp dir, a free port on 127.0.0.1), so a
 * test may stop it with `-m immediate` — a crash, as far as clients can tell — without touching
 * the server other tests use. The same recipe as scripts/with-postgres.mjs; as root it runs as
 * the `postgres` OS user, since PostgreSQL refuses to run as root.
 */
export interface PostgresCluster {
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl stop -m <mode>` and wait until it is down. */
  stop(mode?: 'immediate' | 'fast' | 'smart'): void;
  /** `pg_ctl start` and wait until it accepts connections (recovery included). */
  start(): void;
  running(): boolean;
  /** Stops it (fast) and removes its directory. Idempotent. */
  remove(): void;
}

function binaries(): { initdb: string; pgCtl: string } {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0])
    return { initdb: join(base, versions[0], 'bin/initdb'), pgCtl: join(base, versions[0], 'bin/pg_ctl') };
  return { initdb: 'initdb', pgCtl: 'pg_ctl' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const { initdb, pgCtl } = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'guichet-pgc-'));
  let asUser: string[] = [];
  if (process.getuid?.() === 0) {
    const user = spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
    const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout);
    chownSync(dir, id('-u'), id('-g'));
    asUser = ['runuser', '-u', user, '--'];
  }
  const port = await freePort();
  const data = join(dir, 'data');
  const sh = (argv: string[]) => {
    const [bin, ...rest] = [...asUser, ...argv] as [string, ...string[]];
    const r = spawnSync(bin, rest, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  };
  sh([initdb, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // fsync stays on: an immediate stop then recovers exactly as a crashed production server would.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () =>
      sh([pgCtl, '-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => sh([pgCtl, '-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
    running: () => existsSync(join(data, 'postmaster.pid')),
    remove: () => {
      if (existsSync(join(data, 'postmaster.pid'))) {
        const argv = [...asUser, pgCtl, '-D', data, '-m', 'immediate', '-w', 'stop'];
        spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  process.once('exit', () => cluster.remove());
  try {
    cluster.start();
  } catch (e) {
    cluster.remove();
    throw e;
  }
  return cluster;
}
