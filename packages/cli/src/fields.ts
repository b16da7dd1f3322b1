import { CliError, EXIT } from './errors.js';

/**
 * `--fields a,b.c`: which fields a read prints — in JSON the objects keep only them (gh's
 * `--json` field list), in a table they are the columns. A name the command did not fetch is a
 * usage error that lists the ones it did, rather than a silently empty column.
 */
export function parseFields(spec: string | undefined): string[] | undefined {
  if (spec === undefined) return undefined;
  const fields = spec
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (!fields.length) throw new CliError(EXIT.USAGE, '--fields: name at least one field');
  return fields;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function get(o: Obj, path: string): unknown {
  let v: unknown = o;
  for (const part of path.split('.')) v = isObj(v) ? v[part] : undefined;
  return v;
}

function has(o: Obj, path: string): boolean {
  let v: unknown = o;
  for (const part of path.split('.')) {
    if (!isObj(v) || !(part in v)) return false;
    v = v[part];
  }
  return true;
}

/** Every field name (dotted for nested objects) of the first object: what `--fields` may name. */
export function available(o: Obj, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    isObj(v) ? [`${prefix}${k}`, ...available(v, `${prefix}${k}.`)] : [`${prefix}${k}`],
  );
}

/** Keeps only `fields` of an object or of each object of a list; refuses a field not fetched. */
export function select(value: unknown, fields: string[] | undefined): unknown {
  if (!fields) return value;
  const list = Array.isArray(value) ? value : [value];
  const sample = list.find(isObj);
  if (sample) {
    const unknown = fields.filter((f) => !has(sample, f));
    if (unknown.length)
      throw new CliError(
        EXIT.USAGE,
        `--fields: no field ${unknown.join(', ')}; available: ${available(sample).join(', ')}`,
      );
  }
  const pick = (o: unknown) => (isObj(o) ? Object.fromEntries(fields.map((f) => [f, get(o, f)])) : o);
  return Array.isArray(value) ? value.map(pick) : pick(value);
}
