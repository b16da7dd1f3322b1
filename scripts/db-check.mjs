#!/usr/bin/env node
// `pnpm db:check`: fails when a tables.ts changed without its migration.
// drizzle-kit generates into a scratch copy of packages/db/migrations (drizzle.config.ts honours
// DRIZZLE_OUT): if it writes a new migration, the committed ones no longer describe the tables.
// The real migrations folder is never touched. Works on the current directory (the repository,
// or a copy of it in tests) with the drizzle-kit installed next to this script.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cwd = process.cwd();
const migrations = join(cwd, 'packages/db/migrations');
// The binary `pnpm exec drizzle-kit` would run, called directly so that a scratch copy of the
// repository (no package.json, no workspace) is checked the same way.
const drizzleKit = join(dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/drizzle-kit');

const out = mkdtempSync(join(tmpdir(), 'guichet-db-check-'));
let failure;
try {
  if (existsSync(migrations)) cpSync(migrations, out, { recursive: true });
  const before = new Set(readdirSync(out));

  const kit = (...args) =>
    spawnSync(drizzleKit, args, {
      cwd,
      env: { ...process.env, DRIZZLE_OUT: out },
      encoding: 'utf8',
      // No stdin: drizzle-kit asks about ambiguous renames on a TTY; here it must not wait forever.
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });

  const generate = kit('generate', '--name', 'db_check');
  const added = readdirSync(out).filter((name) => !before.has(name));
  if (generate.error || generate.status !== 0) {
    failure = `drizzle-kit generate failed${generate.error ? ` (${generate.error.message})` : ''}: it may be asking whether a column or table was renamed — run \`pnpm db:generate\` in a terminal.\n${generate.stdout}${generate.stderr}`;
  } else if (added.length > 0) {
    const sql = added
      .map((name) => {
        const file = join(out, name, 'migration.sql');
        return `-- ${name}\n${existsSync(file) ? readFileSync(file, 'utf8').trim() : '(no migration.sql)'}`;
      })
      .join('\n');
    failure = [
      'Schema drift: the tables.ts files no longer match packages/db/migrations.',
      ...changedTables(),
      'drizzle-kit would generate this migration:',
      sql,
      'Run `pnpm db:generate`, review the SQL and commit the new migration with the tables.ts change.',
    ].join('\n');
  } else {
    // Collisions and broken snapshots (two branches generating in parallel) are caught here.
    const check = kit('check');
    if (check.error || check.status !== 0) {
      failure = `drizzle-kit check failed on packages/db/migrations:\n${check.stdout}${check.stderr}`;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

if (failure) {
  console.error(`db:check: ${failure}`);
  process.exit(1);
}
console.log('db:check: migrations match every tables.ts');

/** Names the tables.ts files git sees as changed, when run inside a git checkout. */
function changedTables() {
  const git = spawnSync('git', ['status', '--porcelain', '--', '*tables.ts'], { cwd, encoding: 'utf8' });
  const files = git.status === 0 ? git.stdout.trim().split('\n').filter(Boolean) : [];
  return files.length ? ['Changed since the last commit:', ...files.map((f) => `  ${f}`)] : [];
}
