import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database's template: a PGlite data directory made once at build time (initdb,
 * every migration, pg-boss's schema: `buildTemplate` in @guichet/jobs, run by `pnpm build`)
 * and unpacked into an empty data directory at first start, instead of running initdb (5–9 s
 * here), the migrations and pg-boss's installation there. Its file name carries a digest of
 * what it holds — PGlite's version, the SQL of every migration in order, and the lockfile (the
 * versions of the packages that add to it, pg-boss) — so a template is used only when it holds
 * exactly what this checkout would build; in any other case initdb and the migrator run, which
 * are always right, only slower.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = resolve(here, '../migrations');
/** Build output of this package (ignored by git): `pnpm build` writes the template here. */
export const templateDir = resolve(here, '../dist');

/** Migration folder names in the order the migrator applies them. */
export function migrationNames(): string[] {
  return readdirSync(migrationsFolder)
    .filter((d) => existsSync(join(migrationsFolder, d, 'migration.sql')))
    .sort((a, b) => a.localeCompare(b));
}

function pgliteVersion(): string {
  // The package's exports hide its package.json; its entry point sits in <root>/dist/.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(resolve(dirname(entry), '../package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The workspace's lockfile, found upwards from here; none outside a pnpm checkout. */
function lockfile(): Buffer {
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'pnpm-lock.yaml');
    if (existsSync(file)) return readFileSync(file);
  }
  return Buffer.alloc(0);
}

export function templateDigest(): string {
  const hash = createHash('sha256').update(`pglite ${pgliteVersion()}\n`).update(lockfile());
  for (const name of migrationNames()) {
    hash.update(`${name}\n`).update(readFileSync(join(migrationsFolder, name, 'migration.sql')));
  }
  return hash.digest('hex').slice(0, 16);
}

export function templateFile(digest = templateDigest(), dir = templateDir): string {
  return join(dir, `pglite-${digest}.tar`);
}

/** The template matching this checkout in `dir`, if one was built. */
export function currentTemplate(dir = templateDir): string | undefined {
  const file = templateFile(templateDigest(), dir);
  return existsSync(file) ? file : undefined;
}

/**
 * Writes the template from a freshly migrated in-memory instance (the caller migrates and adds
 * pg-boss's schema). Written beside and renamed: a reader never sees half a file.
 * Older templates are removed.
 */
export async function writeTemplate(pg: PGlite, digest: string, dir = templateDir): Promise<string> {
  const dump = await pg.dumpDataDir('none');
  mkdirSync(dir, { recursive: true });
  const file = templateFile(digest, dir);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  for (const old of readdirSync(dir)) {
    if (/^pglite-[0-9a-f]{16}\.tar$/.test(old) && join(dir, old) !== file) {
      rmSync(join(dir, old), { force: true });
    }
  }
  return file;
}

/** Marks a data directory while a template is unpacked into it (see `openPglite`). */
export const LOADING_MARKER = 'guichet-template-loading';
