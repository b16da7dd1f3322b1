import { CliError, EXIT } from './errors.js';

/** Small parsers of option values shared by the commands; a bad value is a usage error (exit 2). */

/** A repeatable option's accumulator (`--prefix a --prefix b`). */
export function collect(v: string, all: string[]): string[] {
  return [...all, v];
}

export function integer(v: string, name: string): number {
  if (!/^-?\d+$/.test(v)) throw new CliError(EXIT.USAGE, `${name} must be a whole number`);
  return Number(v);
}

/** `a,b` or repeated options, upper-cased: GraphQL enum values. */
export function enumList(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
}

/** `name=value` → [name, value]. */
export function pair(v: string, option: string): [string, string] {
  const at = v.indexOf('=');
  if (at < 1) throw new CliError(EXIT.USAGE, `${option} ${v}: expected name=value`);
  return [v.slice(0, at), v.slice(at + 1)];
}
