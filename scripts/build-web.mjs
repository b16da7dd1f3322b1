// The portal (services/web): `vite build` into services/web/dist, run by `pnpm install`
// (postinstall → build.mjs) and by `pnpm start` when a portal source changed since — so the
// api serves a current portal at `/` with no extra command. Staleness is decided like the api
// bundle's: sha1 of every input, kept in dist/build.json (content, not mtimes).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './build-state.mjs';

export const WEB = join(ROOT, 'services/web');
const DIST = join(WEB, 'dist');
const INFO = join(DIST, 'build.json');

function inputs() {
  const files = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((f) => join(WEB, f));
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(join(WEB, 'src/app'));
  files.push(join(ROOT, 'pnpm-lock.yaml'), join(ROOT, 'scripts/build-web.mjs'));
  const sha1 = (p) => createHash('sha1').update(readFileSync(p)).digest('hex');
  return Object.fromEntries(files.sort().map((p) => [relative(ROOT, p), sha1(p)]));
}

/** Undefined when services/web/dist matches its sources; else why not. */
export function webStaleReason() {
  if (!existsSync(join(WEB, 'dist/index.html'))) return 'services/web/dist is missing';
  let built;
  try {
    built = JSON.parse(readFileSync(INFO, 'utf8')).inputs;
  } catch {
    return 'services/web/dist/build.json is missing';
  }
  const now = inputs();
  for (const [f, h] of Object.entries(now)) if (built[f] !== h) return `${f} changed`;
  for (const f of Object.keys(built)) if (!(f in now)) return `${f} is gone`;
  return undefined;
}

export async function buildWeb({ log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const t0 = performance.now();
  const before = inputs();
  // Loaded here only: `pnpm start` with a current portal never pays for vite.
  const { build } = await import('vite');
  // Built aside, then swapped in: an api serving the old portal meanwhile (another start, a
  // test file running beside) never sees a half-emptied dist/.
  const partial = join(WEB, `dist.${process.pid}.partial`);
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir: partial } });
  writeFileSync(
    join(partial, 'build.json'),
    `${JSON.stringify({ builtAt: new Date().toISOString(), inputs: before }, null, 1)}\n`,
  );
  const old = join(WEB, `dist.${process.pid}.old`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(partial, DIST);
  rmSync(old, { recursive: true, force: true });
  log(`built services/web/dist (the portal) in ${Math.round(performance.now() - t0)} ms`);
}
