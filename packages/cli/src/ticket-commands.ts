import type { Command } from 'commander';
import { collect, enumList, integer } from './args.js';
import { APPROVE_STEP, COMMENT_TICKET, REQUEST_STEP, TAKE_TICKET, TICKET, TICKETS } from './documents.js';
import { CliError, EXIT } from './errors.js';
import type { CommandKit } from './more-commands.js';
import { failIfError, printTable } from './output.js';

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
  k.sub(ticket, 'take', 'Take a ticket: you own it and its response clock stops', 'guichet ticket take ID')
    .argument('<id>')
    .action(async (id: string) => {
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
    'Approve the step the ticket’s request waits at (or --step)',
    'guichet ticket approve ID --step noc',
  )
    .argument('<id>')
    .option('--step <name>', 'the step (default: the request’s current step)')
    .action(async (id: string, o: { step?: string }) => {
      const t = await one(k, id);
      const c = await k.client();
      let step = o.step;
      if (!step) {
        const { request } = await c.request<{ request: Row | null }>(REQUEST_STEP, { id: t.requestId });
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

async function one(k: CommandKit, id: string): Promise<Row> {
  const { ticket } = await (await k.client()).request<{ ticket: Row | null }>(TICKET, { id });
  if (!ticket) throw new CliError(EXIT.FAILED, `ticket ${id} not found`, 'NOT_FOUND');
  return ticket;
}
