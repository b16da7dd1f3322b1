#!/usr/bin/env node
// `pnpm test:all [vitest args...]`: the whole suite on both engines the product supports —
// embedded PGlite, then a real PostgreSQL server (through with-postgres.mjs) — because the same
// migrations and queries must hold on both. Extra arguments go to vitest on both runs
// (`pnpm test:all packages/db`). Ends with one summary line per engine and one for the total;
// fails when a run fails or when an engine ran no test at all (a broken include is not a pass).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules/.bin/vitest');
const results = join(root, '.tmp/test-results');
mkdirSync(results, { recursive: true });
const extra = process.argv.slice(2);

function runEngine(engine, prefix, env) {
  const file = join(results, `${engine}.json`);
  rmSync(file, { force: true }); // a stale file must not stand in for a crashed run
  console.log(`\n── ${engine} ${'─'.repeat(60)}`);
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...extra];
  const [bin, ...rest] = [...prefix, vitest, ...args];
  const run = spawnSync(bin, rest, { cwd: root, stdio: 'inherit', env });
  const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  return {
    engine,
    ok: run.status === 0 && report !== undefined,
    passed: report?.numPassedTests ?? 0,
    failed: report?.numFailedTests ?? 0,
    skipped: (report?.numPendingTests ?? 0) + (report?.numTodoTests ?? 0),
  };
}

// The PGlite run must not reach a server even if the caller's shell has TEST_DATABASE_URL set.
const { TEST_DATABASE_URL: _ignored, ...withoutServer } = process.env;
const runs = [
  runEngine('pglite', [], withoutServer),
  runEngine('postgres', [process.execPath, join(root, 'scripts/with-postgres.mjs')], process.env),
];

const line = (name, { passed, failed, skipped }) =>
  `${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
const total = runs.reduce(
  (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('');
for (const r of runs) console.log(line(r.engine, r));
console.log(line('tests', total));

const empty = runs.filter((r) => r.passed + r.failed === 0).map((r) => r.engine);
if (empty.length) console.error(`test:all: no test ran on ${empty.join(' and ')}`);
process.exit(runs.every((r) => r.ok) && empty.length === 0 ? 0 : 1);
