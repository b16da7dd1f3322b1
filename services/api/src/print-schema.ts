import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './schema.js';

/** `pnpm schema:print` writes schema.graphql; `--check` fails when the checked-in file is stale. */
const file = join(dirname(fileURLToPath(import.meta.url)), '../../../schema.graphql');
const printed = `${printSchema(lexicographicSortSchema(await buildSchema()))}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current !== printed) {
    process.stderr.write('schema.graphql is stale: run `pnpm schema:print` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date.\n');
} else {
  writeFileSync(file, printed);
  process.stdout.write(`wrote ${file}\n`);
}
