#!/usr/bin/env node
// The portal's GraphQL types: gql.tada's introspection of schema.graphql in
// services/web/src/app/graphql-env.d.ts (run by `pnpm schema:print`). `--check` (in
// `pnpm schema:check`) fails when the checked-in file does not match the schema.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-state.mjs';

const WEB = join(ROOT, 'services/web');
const FILE = join(WEB, 'src/app/graphql-env.d.ts');
const tada = join(WEB, 'node_modules/.bin/gql.tada');
const generate = (output) =>
  execFileSync(tada, ['generate', 'output', ...(output ? ['--output', output] : [])], {
    cwd: WEB,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

if (process.argv.includes('--check')) {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-web-types-'));
  try {
    const fresh = join(dir, 'graphql-env.d.ts');
    generate(fresh);
    if (readFileSync(fresh, 'utf8') !== readFileSync(FILE, 'utf8')) {
      process.stderr.write('services/web/src/app/graphql-env.d.ts is stale: run `pnpm schema:print`.\n');
      process.exit(1);
    }
    process.stdout.write('the portal types match schema.graphql.\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  generate();
  process.stdout.write(`wrote ${FILE}\n`);
}
