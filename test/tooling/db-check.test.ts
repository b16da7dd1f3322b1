import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pnpm db:check` guards the migrations in CI. Prove it on a scratch copy of the repository's
// drizzle inputs (config, every package's src, the migrations): the real files are never edited.
const root = join(import.meta.dirname, '../..');
const dbCheck = join(root, 'scripts/db-check.mjs');
let scratch: string;

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const migrationsOf = () => readdirSync(join(scratch, 'packages/db/migrations')).sort();

beforeAll(() => {
  // Under the repository's .tmp/ so that drizzle.config.ts finds drizzle-kit by walking up.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  scratch = mkdtempSync(join(root, '.tmp', 'db-check-'));
  cpSync(join(root, 'drizzle.config.ts'), join(scratch, 'drizzle.config.ts'));
  cpSync(join(root, 'packages/db/migrations'), join(scratch, 'packages/db/migrations'), { recursive: true });
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group))) {
      const pkg = join(root, group, name);
      if (!existsSync(join(pkg, 'src'))) continue;
      cpSync(join(pkg, 'src'), join(scratch, group, name, 'src'), { recursive: true });
      // tables.ts import drizzle-orm and @guichet/db: borrow the package's real dependencies.
      if (existsSync(join(pkg, 'node_modules'))) {
        symlinkSync(join(pkg, 'node_modules'), join(scratch, group, name, 'node_modules'));
      }
    }
  }
  // Others may be mid-change: absorb any existing drift so the copy starts in step.
  const baseline = run(join(root, 'node_modules/.bin/drizzle-kit'), ['generate', '--name', 'baseline']);
  expect(baseline.status, baseline.stdout + baseline.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('scripts/db-check.mjs', () => {
  it('passes when the migrations match the tables', () => {
    const check = run(process.execPath, [dbCheck]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('migrations match');
    // drizzle-kit generate over every tables.ts: seconds alone, much more on a loaded machine.
  }, 180_000);

  it('fails, naming the new column, when a tables.ts gains a column without a migration', () => {
    const tables = join(scratch, 'packages/db/src/tables.ts');
    const source = readFileSync(tables, 'utf8');
    // Add a column to the first table of the file, whatever it is.
    const edited = source.replace(
      /pgTable\(\s*'[^']+',\s*\{/,
      (m) => `${m}\n  driftNote: driftText('drift_note'),`,
    );
    expect(edited).not.toBe(source);
    writeFileSync(tables, `import { text as driftText } from 'drizzle-orm/pg-core';\n${edited}`);
    const migrations = migrationsOf();

    const check = run(process.execPath, [dbCheck]);

    expect(check.status).toBe(1);
    expect(check.stderr).toContain('Schema drift');
    expect(check.stderr).toMatch(/ADD COLUMN "drift_note" text/);
    expect(check.stderr).toContain('pnpm db:generate');
    // The check generates into a temporary copy: the migrations folder is left as it was.
    expect(migrationsOf()).toEqual(migrations);
  }, 180_000);
});
