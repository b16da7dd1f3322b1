// A throwaway PostgreSQL cluster: initdb into a temp dir, started on 127.0.0.1 and a free port,
// removed by stopCluster. Used by with-postgres.mjs (tests) and `pnpm peer postgres` (dev).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The newest installed server binaries (Debian layout), else whatever is on PATH. */
function findBinaries() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin/initdb')) && existsSync(join(base, v, 'bin/pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0])
    return { initdb: join(base, versions[0], 'bin/initdb'), pgCtl: join(base, versions[0], 'bin/pg_ctl') };
  const onPath = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  const initdb = onPath('initdb');
  const pgCtl = onPath('pg_ctl');
  if (!initdb || !pgCtl)
    throw new Error('no PostgreSQL server binaries (initdb, pg_ctl): install postgresql');
  return { initdb, pgCtl };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster() {
  const { initdb, pgCtl } = findBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'guichet-pg-'));
  // PostgreSQL refuses to run as root: as root, hand the directory to the postgres OS user.
  let asUser = [];
  if (process.getuid?.() === 0) {
    const user = spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout);
    chownSync(dir, uid, gid);
    asUser = ['runuser', '-u', user, '--'];
  }
  const cluster = { dir, pgCtl, asUser, port: await freePort() };
  const sh = (argv) => {
    const [bin, ...rest] = [...asUser, ...argv];
    const r = spawnSync(bin, rest, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  };
  try {
    sh([
      initdb,
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // Durability is worthless for a cluster deleted after the run; speed is not.
    const opts = `-p ${cluster.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    sh([
      pgCtl,
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-o',
      opts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  } catch (e) {
    stopCluster(cluster);
    throw e;
  }
  return { ...cluster, url: `postgres://postgres@127.0.0.1:${cluster.port}/postgres` };
}

export function stopCluster({ dir, pgCtl, asUser }) {
  if (existsSync(join(dir, 'data/postmaster.pid'))) {
    const [bin, ...rest] = [...asUser, pgCtl, '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'];
    spawnSync(bin, rest, { stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
}
