// What scripts/build.mjs produces and whether it is current — without loading esbuild, so that
// `pnpm start` pays a few milliseconds for the check when nothing changed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
export const BUILD_INFO = join(DIST, 'build.json');
/** Bundle name → entry. */
export const ENTRIES = { api: 'services/api/src/main.ts', worker: 'services/worker/src/main.ts' };

/**
 * Files that change the output without being bundled: the build itself, the lockfile and
 * every workspace manifest (a moved npm package changes the absolute import paths; a manifest
 * changes how `@guichet/*` resolves).
 */
export function extraInputs() {
  const manifests = ['packages', 'services', 'test'].flatMap((top) =>
    top === 'test'
      ? ['test/package.json']
      : readdirSync(join(ROOT, top)).map((d) => `${top}/${d}/package.json`),
  );
  return [
    'package.json',
    'pnpm-lock.yaml',
    'scripts/build.mjs',
    'scripts/build-state.mjs',
    ...manifests.filter((p) => existsSync(join(ROOT, p))),
  ];
}

/** Undefined when dist/ matches the sources; else why not (for the one line printed). */
export function staleReason() {
  for (const name of Object.keys(ENTRIES)) {
    if (!existsSync(join(DIST, `${name}.mjs`))) return `dist/${name}.mjs is missing`;
  }
  let info;
  try {
    info = JSON.parse(readFileSync(BUILD_INFO, 'utf8'));
  } catch {
    return 'dist/build.json is missing';
  }
  // Content, not mtimes: a checkout, a copy or an archive may give a file any date.
  for (const [file, hash] of Object.entries(info.inputs)) {
    let data;
    try {
      data = readFileSync(join(ROOT, file));
    } catch {
      return `${file} is gone`;
    }
    if (createHash('sha1').update(data).digest('hex') !== hash) return `${file} changed`;
  }
  // A manifest added since (a new line) is not in the list yet.
  for (const p of extraInputs()) if (!(p in info.inputs)) return `${p} is new`;
  return undefined;
}
