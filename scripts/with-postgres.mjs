#!/usr/bin/env node
// `node scripts/with-postgres.mjs <cmd...>`: runs <cmd> with TEST_DATABASE_URL pointing at a
// PostgreSQL server, so the db tests run on the real engine as well as on PGlite.
// Where the server comes from, first that works:
//   1. TEST_DATABASE_URL already set (a CI service, a developer's own server);
//   2. the local server on 127.0.0.1:5432 (user postgres, trust auth — Debian's package, CI);
//   3. a throwaway cluster: initdb into a temp dir, on a free port, removed afterwards.
// WITH_POSTGRES=throwaway skips 1 and 2 (a clean server, or to test this script).
// Exits with <cmd>'s exit code.
import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { startCluster, stopCluster } from './pg-cluster.mjs';

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
