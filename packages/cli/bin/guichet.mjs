#!/usr/bin/env node
// The `guichet` command. The sources are TypeScript run through tsx's loader (as the rest of
// the workspace is in development): no build step stands between a checkout and the command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
const argv = process.argv.slice(2);
// Ctrl-C during `apply` stops after the batch in flight (its rows are then filed, with their
// keys); a second Ctrl-C, or the first during any other command, ends at once.
const stop = new AbortController();
process.once('SIGINT', () => {
  if (!argv.includes('apply')) process.exit(130);
  process.stderr.write('\nstopping after the batch in flight (Ctrl-C again to quit now)\n');
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.exitCode = await main(argv, undefined, process.env, stop.signal);
