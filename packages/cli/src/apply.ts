import { readFile } from 'node:fs/promises';
import type { Client } from './client.js';
import { CliError, EXIT } from './errors.js';
import { type Item, KINDS, type Kind, toItem } from './kinds.js';
import { describeError, type Io, printJson, printTable, progressBar } from './output.js';
import { parseRows } from './rows.js';

/**
 * `guichet apply -f FILE`: every row of the file as a request of its kind (kinds.ts), in file
 * order, consecutive rows of one kind sent in batches to that line's bulk mutation, each row
 * under its idempotency key. A run cut anywhere (Ctrl-C, kill, lost
 * network) is completed by running it again: finished rows are replayed, not filed twice.
 * Ctrl-C (the signal given) stops after the batch in flight.
 */
export interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  batchSize: number;
  json?: boolean;
  signal?: AbortSignal;
}

export interface RowResult {
  row: number;
  kind?: Kind;
  key: string | null;
  /** `done`: a ticket action (it acts on what exists; the others create). */
  status: 'created' | 'done' | 'unchanged' | 'valid' | 'failed' | 'skipped';
  requestId?: string;
  /** The ticket acted on, the site declared. */
  objectId?: string;
  code?: string;
  message?: string;
}

interface BulkResult {
  __typename: string;
  index?: number;
  replayed?: boolean;
  request?: { id: string } | null;
  ticket?: { id: string } | null;
  site?: { id: string } | null;
  code?: string;
  message?: string;
  issues?: { path: string[]; message: string }[];
}

export async function apply(client: Client, io: Io, o: ApplyOptions): Promise<number> {
  let text: string;
  try {
    text = await readFile(o.file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.USAGE, `cannot read ${o.file}: ${(e as Error).message}`);
  }
  const rows = parseRows(text, o.file);
  const results: RowResult[] = [];
  const pending: { row: number; item: Item }[] = [];
  rows.forEach((r, i) => {
    const made = toItem(r);
    if ('error' in made)
      results.push({ row: i + 1, key: null, status: 'failed', code: 'VALIDATION', message: made.error });
    else pending.push({ row: i + 1, item: made });
  });
  const progress = io.tty && !o.json;
  if (progress) io.err(progressBar(0, pending.length));
  for (let at = 0; at < pending.length; ) {
    const kind = pending[at]?.item.kind ?? 'prefix';
    let end = at;
    while (end < pending.length && end - at < o.batchSize && pending[end]?.item.kind === kind) end++;
    if (o.signal?.aborted) {
      for (const p of pending.slice(at))
        results.push({ row: p.row, kind: p.item.kind, key: p.item.idempotencyKey, status: 'skipped' });
      break;
    }
    const batch = pending.slice(at, end);
    // The batch in flight is not aborted: the server finishes it, the answer is read.
    const data = await client.request<{ r: { results?: BulkResult[]; code?: string; message?: string } }>(
      KINDS[kind].document,
      {
        input: {
          items: batch.map((b) => ({ idempotencyKey: b.item.idempotencyKey, input: b.item.input })),
          dryRun: o.dryRun ?? false,
        },
      },
    );
    if (!data.r.results) throw new CliError(EXIT.FAILED, data.r.message ?? 'bulk call refused', data.r.code);
    data.r.results.forEach((res, i) => {
      const sent = batch[i];
      if (!sent) return;
      const { row, item } = sent;
      const key = item.idempotencyKey;
      // Filings answer a BulkItem; the other bulk mutations a `<Name>Done` with their object.
      if (res.__typename === 'BulkItem' || res.__typename.endsWith('Done')) {
        const status = res.replayed
          ? 'unchanged'
          : o.dryRun
            ? 'valid'
            : kind === 'ticket'
              ? 'done'
              : 'created';
        const object = res.ticket ?? res.site;
        results.push({
          row,
          kind,
          key,
          status,
          ...(res.request ? { requestId: res.request.id } : {}),
          ...(object ? { objectId: object.id } : {}),
        });
      } else {
        results.push({
          row,
          kind,
          key,
          status: 'failed',
          code: res.code ?? res.__typename,
          message: describeError(res),
        });
      }
    });
    at = end;
    if (progress) io.err(progressBar(at, pending.length));
  }
  if (progress) io.err('\n');
  results.sort((a, b) => a.row - b.row);
  const failed = results.filter((r) => r.status === 'failed');
  const skipped = results.filter((r) => r.status === 'skipped');
  const count = (s: RowResult['status']) => results.filter((r) => r.status === s).length;
  const summary = {
    dryRun: o.dryRun ?? false,
    created: count('created'),
    done: count('done'),
    unchanged: count('unchanged'),
    valid: count('valid'),
    failed: failed.length,
    skipped: skipped.length,
  };
  if (o.json) printJson(io, { ...summary, results });
  else {
    printTable(
      io,
      results.map((r) => ({ ...r, request: r.requestId, object: r.objectId })),
      ['row', 'kind', 'status', 'request', ...(results.some((r) => r.objectId) ? ['object'] : []), 'key'],
    );
    io.out(
      `${summary.created} created, ${summary.done ? `${summary.done} done, ` : ''}${summary.unchanged} unchanged, ${summary.valid} valid (dry run), ${summary.failed} failed, ${summary.skipped} skipped\n`,
    );
  }
  for (const f of failed) io.err(`error: row ${f.row}: ${f.code}: ${f.message}\n`);
  if (skipped.length)
    io.err(`interrupted: ${skipped.length} rows not sent; run the same command again to finish\n`);
  return failed.length || skipped.length ? EXIT.FAILED : EXIT.OK;
}
