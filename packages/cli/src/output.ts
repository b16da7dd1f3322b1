import { CliError, EXIT } from './errors.js';

/** Where a command writes: injectable, so tests run commands in-process and read what they said. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (progress is shown only then, never with --json). */
  tty: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stdout.isTTY),
};

export function printJson(io: Io, value: unknown) {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table (no colours: it is read by people and by `grep`). */
export function printTable(io: Io, rows: Record<string, unknown>[], columns: string[]) {
  if (!rows.length) {
    io.out('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    `${vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  io.out(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) io.out(line(columns.map((c) => cell(r[c]))));
}

interface TypedError {
  __typename: string;
  code?: string;
  message?: string;
  issues?: { path: string[]; message: string }[];
}

/** A mutation result that is a typed error: printed on stderr, exit 1. */
export function failIfError(r: TypedError | null | undefined): void {
  if (r && typeof r.code === 'string') throw new CliError(EXIT.FAILED, describeError(r), r.code);
}

export function describeError(e: TypedError): string {
  const issues = e.issues?.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return issues ? `${e.message} (${issues})` : (e.message ?? e.__typename);
}

/**
 * A one-line progress bar, redrawn in place on stderr (`\r`): `[#####·····] 120/200 rows 60%`.
 * Only for a terminal (the caller checks `io.tty` and not --json): piped output has none.
 */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'·'.repeat(width - filled)}] ${done}/${total} rows ${Math.floor(ratio * 100)}%`;
}
