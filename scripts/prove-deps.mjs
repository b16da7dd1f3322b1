#!/usr/bin/env node
// Proves that .dependency-cruiser.cjs really enforces ARCHITECTURE.md: runs depcruise with the
// real config on scripts/fixtures/deps (a miniature workspace with one deliberate violation per
// rule and a few allowed edges) and checks it reports exactly the expected violations.
// An empty or loosened rule set fails here, so does a rule that starts flagging allowed edges.
// Exit 0 when proven, 1 otherwise. Run by test/tooling/deps.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'scripts/fixtures/deps');
// Overridable so the test can show that a weakened rule set does not pass.
const config = process.env.PROVE_DEPS_CONFIG ?? join(root, '.dependency-cruiser.cjs');

// rule → [from, to] (to as it is printed: a path, or the raw name when it does not resolve).
const EXPECTED = [
  ['layer-core', 'packages/core/src/index.ts', 'packages/db/src/index.ts'],
  ['layer-net', 'packages/net/src/index.ts', 'packages/db/src/index.ts'],
  ['layer-membership', 'packages/membership/src/index.ts', 'services/ipam/src/index.ts'],
  ['layer-unplanned-package', 'packages/newthing/src/index.ts', 'packages/core/src/index.ts'],
  ['no-circular', 'packages/db/src/a.ts', 'packages/db/src/b.ts'],
  ['no-vitest-in-production', 'packages/jobs/src/index.ts', 'vitest'],
  ['testkit-only-in-tests', 'services/ipam/src/service.ts', 'packages/testkit/src/index.ts'],
  ['service-lines-isolated', 'services/eduroam/src/index.ts', 'services/ipam/src/index.ts'],
  ['service-lines-isolated-ipam-readers', 'services/routing/src/index.ts', 'services/rdns/src/index.ts'],
  ['hosts-do-not-import-each-other', 'services/worker/src/index.ts', 'services/api/src/index.ts'],
  ['no-deep-import', 'services/api/src/index.ts', 'services/ipam/src/service.ts'],
  ['no-deep-import-by-path', 'services/api/src/index.ts', 'services/ipam/src/service.ts'],
  ['no-deep-import-by-name', 'services/api/src/index.ts', '@guichet/ipam/src/service.ts'],
  ['not-to-unresolvable', 'services/api/src/index.ts', '@guichet/ipam/src/service.ts'],
];

// Node modules resolve to long .pnpm paths; name them by package so the list above stays readable.
const short = (to) =>
  to.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? to;
const key = (rule, from, to) => `${rule}: ${from} → ${to}`;

// A scratch copy under .tmp/ (git-ignored, inside the repo so the real node_modules — vitest —
// is found by walking up), with node_modules/@guichet/* symlinks standing in for pnpm's.
mkdirSync(join(root, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.tmp', 'prove-deps-'));
let ok = false;
try {
  cpSync(fixture, scratch, { recursive: true });
  mkdirSync(join(scratch, 'node_modules/@guichet'), { recursive: true });
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(scratch, group))) {
      const pkg = JSON.parse(readFileSync(join(scratch, group, name, 'package.json'), 'utf8'));
      const link = join(scratch, 'node_modules', pkg.name);
      symlinkSync(relative(dirname(link), join(scratch, group, name)), link);
    }
  }

  // Twice: `err` is what CI prints and sets the exit code (the error count; json exits 0),
  // json gives the violations to compare.
  const depcruise = (...format) =>
    spawnSync(
      join(root, 'node_modules/.bin/depcruise'),
      ['packages', 'services', '--config', config, ...format],
      { cwd: scratch, encoding: 'utf8' },
    );
  const run = depcruise('--output-type', 'err');
  if (run.error) throw run.error;
  const out = join(scratch, 'result.json');
  depcruise('--output-type', 'json', '--output-to', out);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const seen = new Set();
  for (const v of result.summary.violations) {
    // A cycle is reported once, from one module on it, with the whole cycle: keep its first edge.
    const to = v.rule.name === 'no-circular' ? v.cycle[0].name : short(v.to);
    seen.add(key(v.rule.name, v.from, to));
  }
  const expected = new Set(EXPECTED.map(([rule, from, to]) => key(rule, from, to)));
  const missing = [...expected].filter((k) => !seen.has(k));
  const unexpected = [...seen].filter((k) => !expected.has(k));

  const unnamed = [...new Set(EXPECTED.map(([rule]) => rule))].filter(
    (r) => !run.stdout.includes(`error ${r}:`),
  );
  console.log(`depcruise exit code: ${run.status} (${result.summary.error} errors)`);
  for (const k of [...seen].sort()) console.log(`  ${expected.has(k) ? 'caught' : 'UNEXPECTED'} ${k}`);
  for (const k of missing) console.log(`  MISSED ${k}`);
  for (const r of unnamed) console.log(`  NOT NAMED in depcruise's own output: ${r}`);
  // depcruise's exit code is its error count: a clean exit would let CI pass anything.
  ok = run.status !== 0 && missing.length === 0 && unexpected.length === 0 && unnamed.length === 0;
  console.log(ok ? 'prove-deps: every rule fires, allowed edges pass' : 'prove-deps: FAILED');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
