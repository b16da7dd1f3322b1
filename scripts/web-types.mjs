#!/usr/bin/env node
// The GraphQL types of the portal and of the CLI: gql.tada's introspection of schema.graphql in
// services/web/src/app/graphql-env.d.ts and packages/cli/src/graphql-env.d.ts (run by
// `pnpm schema:print`). `--check` (in `pnpm schema:check`) fails when a checked-in file does
// not match the schema.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-state.mjs';

const TARGETS = [
  { dir: join(ROOT, 'services/web'), file: 'src/app/graphql-env.d.ts', what: 'the portal' },
  { dir: join(ROOT, 'packages/cli'), file: 'src/graphql-env.d.ts', what: 'the CLI' },
];
const generate = (dir, output) =>
  execFileSync(
    join(dir, 'node_modules/.bin/gql.tada'),
    ['generate', 'output', ...(output ? ['--output', output] : [])],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );

if (process.argv.includes('--check')) {
  const tmp = mkdtempSync(join(tmpdir(), 'guichet-web-types-'));
  try {
    let stale = false;
    for (const t of TARGETS) {
      const fresh = join(tmp, `${t.what.replace(/\W/g, '')}.d.ts`);
      generate(t.dir, fresh);
      if (readFileSync(fresh, 'utf8') !== readFileSync(join(t.dir, t.file), 'utf8')) {
        process.stderr.write(`${join(t.dir, t.file)} is stale: run \`pnpm schema:print\`.\n`);
        stale = true;
      } else process.stdout.write(`${t.what}'s types match schema.graphql.\n`);
    }
    // Every CLI document against the schema (unknown fields, wrong arguments): tsc alone
    // would only type such a field `unknown` where a result is read.
    try {
      execFileSync(join(ROOT, 'packages/cli/node_modules/.bin/gql.tada'), ['check'], {
        cwd: join(ROOT, 'packages/cli'),
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    } catch {
      stale = true;
    }
    if (stale) process.exit(1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  for (const t of TARGETS) {
    generate(t.dir);
    process.stdout.write(`wrote ${join(t.dir, t.file)}\n`);
  }
}
