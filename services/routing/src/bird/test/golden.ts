import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Known-good files as IXP Manager compares them: comment and blank lines do not count. */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Drops `#` comments (whole-line or trailing), trailing spaces and blank lines. */
export function significant(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
}

/** The golden text of `name`; with UPDATE_GOLDEN=1, `actual` is written there first. */
export function golden(name: string, actual: string): string {
  const file = join(DIR, `${name}.conf`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  return readFileSync(file, 'utf8');
}
