#!/usr/bin/env node
// `node scripts/with-postgres.mjs <cmd...>`: runs <cmd> with TEST_DATABASE_URL pointing at a
// PostgreSQL server, so the db tests run on the real engine as well as on PGlite.
// Where the server comes from, first that works:
//   1. TEST_DATABASE_URL already set (a CI service, a developer's own server);
//   2. the local server on 127.0.0.1:5432 (user postgres, trust auth — Debian's package, CI);
//   3. a throwaway cluster: initdb into a temp dir, on a free port, removed afterwards.
// WITH_POSTGRES=throwaway skips 1 and 2 (a clean server, or to test this script).
// Exits with <cmd>'s exit code.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/with-postgres.mjs <command> [args...]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';

let cluster; // { dir, pgCtl, asUser } once a throwaway cluster is running
let code = 1;
try {
  const throwaway = process.env.WITH_POSTGRES === 'throwaway';
  let url = throwaway ? undefined : process.env.TEST_DATABASE_URL;
  if (url) {
    console.error('with-postgres: using TEST_DATABASE_URL');
  } else if (!throwaway && (await answers(LOCAL))) {
    url = LOCAL;
    console.error(`with-postgres: using the server on 127.0.0.1:5432`);
  } else {
    cluster = await startCluster();
    url = cluster.url;
    console.error(`with-postgres: started a throwaway cluster on 127.0.0.1:${cluster.port} (${cluster.dir})`);
  }
  code = await run(cmd, args, url);
} catch (e) {
  console.error(`with-postgres: ${e instanceof Error ? e.message : e}`);
} finally {
  if (cluster) stopCluster(cluster);
}
process.exit(code);

/** A real query, not just a TCP connect: the server must also let us in without a password. */
async function answers(url) {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

function run(command, commandArgs, url) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      stdio: 'inherit',
      // The repository's bin first, so `vitest` works outside `pnpm run` as well.
      env: {
        ...process.env,
        TEST_DATABASE_URL: url,
        PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}`,
      },
    });
    // Ctrl-C or a CI timeout still reaches the tests, and the cluster is still removed after.
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => {
      console.error(`with-postgres: cannot run ${command}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (status, signal) => resolve(status ?? 128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}

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

async function startCluster() {
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

function stopCluster({ dir, pgCtl, asUser }) {
  if (existsSync(join(dir, 'data/postmaster.pid'))) {
    const [bin, ...rest] = [...asUser, pgCtl, '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'];
    spawnSync(bin, rest, { stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
}
