import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CliError, EXIT } from './errors.js';

/**
 * The rows of an `apply` file — YAML (a list, or `{ items: [...] }`), JSON (same) or CSV (a
 * header line) — turned into `requestPrefixes` items. The command checks only the shape it
 * needs to build a GraphQL value; the rules (lengths, RIPE policy, who may file) are the
 * server's, so `--dry-run` asks the server.
 */
export type Row = Record<string, unknown>;

export interface PrefixItem {
  idempotencyKey: string;
  input: {
    institutionId: string;
    family: 'IPV4' | 'IPV6';
    length: number;
    purpose: string;
    siteId?: string;
    justification?: string;
    submit?: boolean;
  };
}

export function parseRows(text: string, file: string): Row[] {
  const ext = extname(file).toLowerCase();
  let docs: unknown[];
  try {
    if (ext === '.csv') docs = [parseCsv(text)];
    else if (ext === '.json') docs = [JSON.parse(text)];
    else {
      // A YAML stream: `---` separates documents (kubectl's habit), each of one kind or several.
      const all = parseAllDocuments(text);
      const list = Array.isArray(all) ? all : [all];
      const bad = list.flatMap((d) => d.errors)[0];
      if (bad) throw bad;
      docs = list.map((d) => d.toJS());
    }
  } catch (e) {
    throw new CliError(EXIT.USAGE, `${file}: ${(e as Error).message}`);
  }
  const rows: Row[] = [];
  for (const data of docs) {
    if (data === null || data === undefined) continue;
    // A document is a list of rows, `{ kind?, items: [...] }` (its kind given to rows without
    // one), or one object.
    const doc = data as { items?: unknown; kind?: unknown };
    const list = Array.isArray(data) ? data : Array.isArray(doc.items) ? doc.items : [data];
    if (!Array.isArray(data) && typeof data !== 'object')
      throw new CliError(EXIT.USAGE, `${file}: expected a list of objects (or { items: [...] })`);
    for (const r of list) {
      if (!r || typeof r !== 'object' || Array.isArray(r))
        throw new CliError(EXIT.USAGE, `${file}: item ${rows.length + 1} is not an object`);
      const inherited = !Array.isArray(data) && doc.items && doc.kind !== undefined ? { kind: doc.kind } : {};
      rows.push({ ...inherited, ...(r as Row) });
    }
  }
  return rows;
}

/** RFC 4180 CSV: a header line, commas, double quotes around fields holding commas or quotes. */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (record.some((f) => f !== '')) records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field');
  record.push(field);
  if (record.some((f) => f !== '')) records.push(record);
  const [header, ...rest] = records;
  if (!header) return [];
  return rest.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])).valueOf() as Row);
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

/**
 * A row as an item. Its idempotency key is the row's `key` when it has one, otherwise a hash
 * of the row's content: re-applying the same file files nothing twice; editing a row without
 * a `key` makes it a new request (give rows a `key` to have an edit refused as a conflict).
 */
export function toPrefixItem(row: Row): PrefixItem | { error: string } {
  const family = String(row.family ?? '')
    .toUpperCase()
    .replace(/^(?:IPV)?([46])$/, 'IPV$1');
  // The one check made here: GraphQL would refuse a bad enum for the whole batch, not the row.
  if (family !== 'IPV4' && family !== 'IPV6')
    return { error: `family: "${String(row.family ?? '')}" is not 4 or 6` };
  const length = Number(row.length);
  const submit = str(row.submit);
  const site = str(row.site ?? row.siteId);
  const justification = str(row.justification);
  const input: PrefixItem['input'] = {
    institutionId: String(row.institution ?? row.institutionId ?? ''),
    family,
    // A bad length goes as -1 (an Int GraphQL accepts) so that the server names it per row.
    length: Number.isInteger(length) ? length : -1,
    purpose: String(row.purpose ?? ''),
    ...(site ? { siteId: site } : {}),
    ...(justification ? { justification } : {}),
    ...(submit ? { submit: !/^(false|no|0)$/i.test(submit) } : {}),
  };
  const key = str(row.key) ?? `apply:${contentHash(input)}`;
  return { idempotencyKey: key, input };
}

function contentHash(input: PrefixItem['input']): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}
