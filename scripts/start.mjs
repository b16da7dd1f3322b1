#!/usr/bin/env node
// `pnpm start` (api) and `pnpm worker`: runs the compiled entry from dist/ in this process,
// compiling it first when a source changed since the last build (about a second; the line
// printed says why). `pnpm dev` keeps running the TypeScript through tsx, with reload.
import { pathToFileURL } from 'node:url';
import { DIST, ENTRIES, staleReason } from './build-state.mjs';

const name = process.argv[2] ?? 'api';
if (!(name in ENTRIES)) {
  process.stderr.write(`usage: start.mjs [${Object.keys(ENTRIES).join('|')}]\n`);
  process.exit(2);
}
const reason = staleReason();
if (reason) {
  process.stderr.write(`compiling (${reason})…\n`);
  const { buildBundles } = await import('./build.mjs');
  await buildBundles();
}
if (name === 'api') {
  // The api serves the portal: rebuild it first when one of its sources changed.
  const { buildWeb, webStaleReason } = await import('./build-web.mjs');
  const why = webStaleReason();
  if (why) {
    process.stderr.write(`building the portal (${why})…\n`);
    await buildWeb();
  }
}
// Stack traces name the TypeScript files (dist/*.mjs.map), as under tsx.
process.setSourceMapsEnabled(true);
// main.ts reads process.argv from index 2 on, as when Node runs it directly.
process.argv.splice(2, 1);
await import(pathToFileURL(`${DIST}/${name}.mjs`).href);
