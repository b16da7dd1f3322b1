#!/usr/bin/env node
// `pnpm build` (also run by `pnpm install`, and by `pnpm start` when a source changed):
//   dist/api.mjs, dist/worker.mjs  services/{api,worker}/src/main.ts compiled by esbuild into one
//                                  ESM file each — Node loads one file instead of tsx transpiling
//                                  ~200 TypeScript files at every start;
//   services/web/dist              the portal, built by Vite (scripts/build-web.mjs) when stale;
//   packages/db/dist/pglite-*.tar  the embedded database's template (initdb, migrations, pg-boss; made
//                                  once; see packages/db/src/template.ts), unless `--no-template`.
//
// Only the workspace's own sources are bundled. Every npm package stays external and is
// imported from its absolute path in node_modules, exactly as Node loads it under tsx: PGlite
// finds its .wasm files beside itself, CJS stays CJS, nothing is re-bundled. `import.meta.url`
// in a workspace file is replaced by that file's own URL, so paths built from it (the
// migrations folder) stay right. The output is therefore tied to this checkout: build where it
// runs. Whatever main.ts imports is followed, so a new line or a rewritten composition needs no
// change here.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUILD_INFO, DIST, ENTRIES, extraInputs, ROOT } from './build-state.mjs';

const WORKSPACE = /^@guichet\//;

/** npm packages → external, by absolute URL (see above); workspace imports are bundled. */
export const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'external-npm' || WORKSPACE.test(args.path) || args.path.startsWith('node:')) {
        return undefined;
      }
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'external-npm',
      });
      if (r.errors.length) return { errors: r.errors };
      if (r.external || !r.path.includes('/node_modules/')) return r; // a Node built-in
      return { path: pathToFileURL(r.path).href, external: true };
    });
    b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const file = JSON.stringify(args.path);
      const contents = readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.url', url)
        .replaceAll('import.meta.filename', file)
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
      return { contents, loader: 'ts' };
    });
  },
};

function writeAtomic(file, data) {
  // Several processes may start (and rebuild) at once: a reader sees the old file or the new.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

const sha1 = (data) => createHash('sha1').update(data).digest('hex');

/** Compiles the entries; returns the build info written to dist/build.json. */
export async function buildBundles({ log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const t0 = performance.now();
  mkdirSync(DIST, { recursive: true });
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, join(ROOT, src)])),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Source paths in stack traces (with --enable-source-maps) relative to the repository.
    sourceRoot: ROOT,
    plugins: [externalNpm],
    metafile: true,
    write: false,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  for (const out of result.outputFiles) writeAtomic(out.path, out.contents);
  const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...extraInputs()])]
    .filter((p) => !p.startsWith('file:'))
    .sort();
  const info = {
    builtAt: new Date().toISOString(),
    inputs: Object.fromEntries(inputs.map((p) => [p, sha1(readFileSync(join(ROOT, p)))])),
  };
  writeAtomic(BUILD_INFO, `${JSON.stringify(info, null, 1)}\n`);
  log(
    `built ${Object.keys(ENTRIES)
      .map((e) => relative(ROOT, join(DIST, `${e}.mjs`)))
      .join(', ')} from ${inputs.length} files in ${Math.round(performance.now() - t0)} ms`,
  );
  return info;
}

/** The embedded template (packages/jobs/src/template.ts): bundled like the entries, run here. */
export async function buildTemplate({ log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const t0 = performance.now();
  const out = join(DIST, 'build-template.mjs');
  const result = await build({
    stdin: {
      contents: "export { buildTemplate } from './template.ts';",
      resolveDir: join(ROOT, 'packages/jobs/src'),
      sourcefile: 'build-template-entry.ts',
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalNpm],
    write: false,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  for (const o of result.outputFiles) writeAtomic(o.path, o.contents);
  const { buildTemplate: make } = await import(pathToFileURL(out).href);
  const { file, built } = await make();
  log(
    built
      ? `built ${relative(ROOT, file)} in ${Math.round(performance.now() - t0)} ms`
      : `${relative(ROOT, file)} is current`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildBundles();
  const { buildWeb, webStaleReason } = await import('./build-web.mjs');
  if (webStaleReason()) await buildWeb();
  if (!process.argv.includes('--no-template')) await buildTemplate();
  // PGlite may leave a handle open after close: the build is done.
  process.exit(0);
}
