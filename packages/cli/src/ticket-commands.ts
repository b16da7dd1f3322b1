import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { collect, enumList, integer } from './args.js';
import {
  ACT_ON_TICKETS,
  APPROVE_STEP,
  COMMENT_TICKET,
  REQUEST_STEP,
  TAKE_TICKET,
  TICKET,
  TICKETS,
} from './documents.js';
import { CliError, EXIT } from './errors.js';
import type { CommandKit } from './more-commands.js';
import { describeError, failIfError, printTable } from './output.js';

type Row = Record<string, unknown>;
interface Typed {
  __typename: string;
  code?: string;
  message?: string;
  ticket?: Row;
  comment?: Row;
  request?: Row;
}
const COLUMNS = ['id', 'queue', 'state', 'kind', 'institutionName', 'ownerId', 'due'];
/** The clock a person acts on: the response clock until someone answered, then the resolution one. */
const flat = (t: Row) => {
  const sla = (t.sla ?? {}) as Row;
  return { ...t, due: t.firstResponseAt ? sla.resolutionDueAt : sla.responseDueAt };
};

/** `ticket list|show|take|comment|approve`: the NOC's queue (a contact sees its own tickets). */
export function ticketCommands(program: Command, k: CommandKit): void {
  const ticket = program.command('ticket').description('Tickets: the NOC’s view of requests');
  k.sub(
    ticket,
    'list',
    'Tickets, newest first',
    'guichet ticket list --queue rdns --state new,open --overdue',
  )
    .option('--queue <queue>', 'only this queue (ipam, rdns, routing…)')
    .option(
      '--state <states>',
      'only in these states (NEW, OPEN, WAITING, RESOLVED, CLOSED; repeatable)',
      collect,
      [],
    )
    .option('--institution <id>', 'only this institution’s')
    .option('--owner <id>', 'only those this staff member owns')
    .option('--overdue', 'only those with a running clock past due')
    .option('--search <text>', 'part of the request kind or of the institution’s name')
    .option('--first <n>', 'at most this many (≤ 100)', '20')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      const vars = {
        first: integer(String(o.first), '--first'),
        ...(o.queue ? { queue: o.queue } : {}),
        ...((o.state as string[]).length ? { state: enumList(o.state as string[]) } : {}),
        ...(o.institution ? { institutionId: o.institution } : {}),
        ...(o.owner ? { ownerId: o.owner } : {}),
        ...(o.overdue ? { overdue: true } : {}),
        ...(o.search ? { search: o.search } : {}),
      };
      const { tickets } = await (await k.client()).request<{ tickets: { edges: { node: Row }[] } }>(
        TICKETS,
        vars,
      );
      const nodes = tickets.edges.map((e) => e.node);
      k.show(nodes, nodes.map(flat), COLUMNS);
    });
  k.sub(ticket, 'show', 'One ticket with its clocks and comments', 'guichet ticket show ID')
    .argument('<id>')
    .action(async (id: string) => {
      const t = await one(k, id);
      if (k.json()) return k.emit(t);
      printTable(k.io, [flat(t)], [...COLUMNS, 'requestId']);
      printTable(k.io, t.comments as Row[], ['createdAt', 'author', 'visibility', 'body']);
    });
  k.sub(
    ticket,
    'take',
    'Take tickets: you own them and their response clocks stop (several ids: one call, each ticket on its own)',
    'guichet ticket take ID [ID…]',
  )
    .argument('<ids...>')
    .action(async (ids: string[]) => {
      if (ids.length > 1) return bulk(k, ids, { action: 'TAKE' });
      const [id] = ids;
      const { r } = await k.keyed<{ r: Typed }>(TAKE_TICKET, { input: { ticketId: id } });
      failIfError(r);
      k.show(r.ticket, [flat(r.ticket ?? {})], COLUMNS);
    });
  k.sub(
    ticket,
    'comment',
    'Comment on a ticket (internal by default; --visible shows it to the institution)',
    'guichet ticket comment ID --body "lame: ns2 does not answer" --visible',
  )
    .argument('<id>')
    .requiredOption('--body <text>', 'the comment')
    .option('--visible', 'the institution sees it (default: NOC only)')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (id: string, o: { body: string; visible?: boolean; key?: string }) => {
      const input = { ticketId: id, body: o.body, visibility: o.visible ? 'INSTITUTION' : 'INTERNAL' };
      const { r } = await k.keyed<{ r: Typed }>(COMMENT_TICKET, { input }, o.key);
      failIfError(r);
      k.show(r.comment, [r.comment ?? {}], ['id', 'author', 'visibility', 'createdAt']);
    });
  k.sub(
    ticket,
    'approve',
    'Approve the step each ticket’s request waits at (or --step); several ids: one call, each ticket on its own',
    'guichet ticket approve ID [ID…] --step noc',
  )
    .argument('<ids...>')
    .option('--step <name>', 'the step (default: the request’s current step)')
    .action(async (ids: string[], o: { step?: string }) => {
      if (ids.length > 1) return bulk(k, ids, { action: 'APPROVE', ...(o.step ? { step: o.step } : {}) });
      const [id = ''] = ids;
      const t = await one(k, id);
      const c = await k.client();
      let step = o.step;
      if (!step) {
        const { request } = await c.request(REQUEST_STEP, { id: String(t.requestId) });
        step = request?.currentStep ? String(request.currentStep) : undefined;
        if (!step)
          throw new CliError(
            EXIT.FAILED,
            `request ${String(t.requestId)} waits at no step`,
            'INVALID_TRANSITION',
          );
      }
      const { r } = await k.keyed<{ r: Typed }>(APPROVE_STEP, { input: { requestId: t.requestId, step } });
      failIfError(r);
      k.show(r.request, [r.request ?? {}], ['id', 'kind', 'status', 'currentStep']);
    });
}

interface BulkAnswer {
  r: {
    __typename: string;
    code?: string;
    message?: string;
    results?: (Typed & { index: number })[];
  };
}

/** The bulk server call takes this many items at most (BULK_MAX_ITEMS). */
const BULK_MAX = 500;

/**
 * One action on several tickets through `actOnTickets`: each ticket its own transaction and
 * key, so one refused ticket does not stop the others; a table of what each became, exit 1 if
 * any failed. The keys are made once per command: the retry after a lost answer replays.
 */
async function bulk(k: CommandKit, ids: string[], action: Row): Promise<void> {
  const run = randomUUID();
  const rows: Row[] = [];
  const failures: string[] = [];
  const tickets: unknown[] = [];
  for (let at = 0; at < ids.length; at += BULK_MAX) {
    const chunk = ids.slice(at, at + BULK_MAX);
    const items = chunk.map((ticketId, i) => ({
      idempotencyKey: `${run}:${at + i}`,
      input: { ticketId, ...action },
    }));
    // Header and item keys share one namespace per caller: the call's key is not an item's.
    const { r } = await k.keyed<BulkAnswer>(ACT_ON_TICKETS, { input: { items } }, `${run}:call:${at}`);
    if (!r.results) throw new CliError(EXIT.FAILED, r.message ?? 'refused', r.code);
    r.results.forEach((res, i) => {
      const id = chunk[i];
      if (res.ticket) {
        tickets.push(res.ticket);
        rows.push({ ...flat(res.ticket), error: undefined });
      } else {
        failures.push(`error: ticket ${id}: ${res.code ?? res.__typename}: ${describeError(res)}\n`);
        tickets.push({ id, error: { code: res.code ?? res.__typename, message: describeError(res) } });
        rows.push({ id, state: 'FAILED', error: res.code ?? res.__typename });
      }
    });
  }
  if (k.json()) k.emit(tickets);
  else printTable(k.io, rows, [...COLUMNS, 'error']);
  for (const f of failures) k.io.err(f);
  if (failures.length)
    throw new CliError(
      EXIT.FAILED,
      `${failures.length} of ${ids.length} tickets failed (the others are done)`,
    );
}

async function one(k: CommandKit, id: string): Promise<Row> {
  const { ticket } = await (await k.client()).request(TICKET, { id });
  if (!ticket) throw new CliError(EXIT.FAILED, `ticket ${id} not found`, 'NOT_FOUND');
  return ticket;
}
