import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
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

/**
 * Unpacks a template into `dir` as PGlite's own loader would (`loadDataDir`: directories and
 * regular files of a ustar archive, modes left to the defaults), but straight to disk: the
 * loader goes through the WebAssembly file system and leaves the embedded server ~150 MB
 * larger for the rest of its life.
 */
export function unpackTemplate(file: string, dir: string): void {
  const tar = readFileSync(file);
  const field = (at: number, length: number) => {
    const raw = tar.toString('latin1', at, at + length);
    const end = raw.indexOf('\0');
    return end >= 0 ? raw.slice(0, end) : raw;
  };
  for (let at = 0; at + 512 <= tar.length; ) {
    if (tar[at] === 0) break; // the archive ends with zero blocks
    const name = field(at, 100);
    const prefix = field(at + 345, 131);
    const size = Number.parseInt(field(at + 124, 12).trim() || '0', 8);
    const type = field(at + 156, 1) || '0';
    const target = resolve(dir, `.${prefix ? `/${prefix}/` : '/'}${name}`);
    if (relative(dir, target).startsWith('..'))
      throw new Error(`template entry outside the data dir: ${name}`);
    if (type === '5') {
      mkdirSync(target, { recursive: true, mode: 0o700 });
    } else if (type === '0') {
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, tar.subarray(at + 512, at + 512 + size), { mode: 0o600 });
    } else {
      throw new Error(`template entry of unexpected type ${type}: ${name}`);
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}
