import type { Command } from 'commander';
import type { Client, Document } from './client.js';
import { INSTITUTION, INSTITUTIONS, RESUBMIT_REQUEST, SUBMIT_REQUEST } from './documents.js';
import { CliError, EXIT } from './errors.js';
import { failIfError, type Io, printTable } from './output.js';

/** What main.ts's command builder shares with the commands defined here. */
export interface CommandKit {
  io: Io;
  json: () => boolean;
  client: () => Promise<Client>;
  sub: (parent: Command, name: string, description: string, example: string) => Command;
  show: (value: unknown, rows: Record<string, unknown>[], columns: string[]) => void;
  /** Prints a whole value as JSON, cut to --fields. */
  emit: (value: unknown) => void;
  /** Sends a mutation under an Idempotency-Key (`key`, else a fresh one), retried once if unreachable. */
  keyed: <T>(document: Document, variables: Record<string, unknown>, key?: string) => Promise<T>;
}

type Row = Record<string, unknown>;
interface Typed {
  __typename: string;
  code?: string;
  message?: string;
  request?: Row;
}

/** `request submit|resubmit` (a draft, a returned request after its amendment). */
export function requestActions(request: Command, k: CommandKit): void {
  for (const [name, doc, what, example] of [
    ['submit', SUBMIT_REQUEST, 'Submit a draft', 'guichet request submit ID'],
    [
      'resubmit',
      RESUBMIT_REQUEST,
      'Send a returned request back after amending it',
      'guichet request resubmit ID --revision 3',
    ],
  ] as const) {
    k.sub(request, name, what, example)
      .argument('<id>')
      .option('--revision <n>', 'the revision you read (refused if it changed since)')
      .action(async (id: string, o: { revision?: string }) => {
        if (o.revision !== undefined && !/^\d+$/.test(o.revision))
          throw new CliError(EXIT.USAGE, '--revision must be a whole number');
        const input = { requestId: id, ...(o.revision ? { revision: Number(o.revision) } : {}) };
        const { r } = await (await k.client()).request<{ r: Typed }>(doc, { input });
        failIfError(r);
        k.show(r.request, [r.request ?? {}], ['id', 'kind', 'status', 'currentStep']);
      });
  }
}

/** `institution list|show`: what the credential may see (a contact: its own institution). */
export function institutionCommands(program: Command, k: CommandKit): void {
  const inst = program.command('institution').description('Institutions you may see');
  k.sub(inst, 'list', 'Institutions by name', 'guichet institution list --search lyon --json')
    .option('--search <text>', 'only those whose name or short name contains this text')
    .option('--first <n>', 'at most this many (≤ 100)', '50')
    .action(async (o: { search?: string; first: string }) => {
      if (!/^\d+$/.test(o.first)) throw new CliError(EXIT.USAGE, '--first must be a whole number');
      const { institutions } = await (await k.client()).request(INSTITUTIONS, {
        first: Number(o.first),
        ...(o.search ? { search: o.search } : {}),
      });
      const nodes = institutions.edges.map((e) => e.node);
      k.show(nodes, nodes, ['id', 'shortName', 'name', 'kind', 'status']);
    });
  k.sub(inst, 'show', 'One institution with its sites, contacts and agreement', 'guichet institution show ID')
    .argument('<id>')
    .action(async (id: string) => {
      const { institution } = await (await k.client()).request(INSTITUTION, { id });
      if (!institution) throw new CliError(EXIT.FAILED, `institution ${id} not found`, 'NOT_FOUND');
      if (k.json()) return k.emit(institution);
      printTable(k.io, [institution], ['id', 'shortName', 'name', 'kind', 'status', 'collector']);
      printTable(k.io, institution.sites as Row[], ['id', 'name', 'city', 'main']);
      printTable(
        k.io,
        (institution.contacts as Row[]).map((c) => ({ ...c, roles: (c.roles as string[]).join(',') })),
        ['id', 'name', 'email', 'roles'],
      );
    });
}
