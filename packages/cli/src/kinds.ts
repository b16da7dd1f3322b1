import { createHash } from 'node:crypto';
import { eduroamSiteInput, ticketActionInput } from './action-rows.js';
import {
  ACT_ON_TICKETS,
  DECLARE_EDUROAM_SITES,
  REQUEST_PREFIXES,
  REQUEST_REVERSE_DELEGATIONS,
  REQUEST_ROUTING_CHANGES,
} from './documents.js';
import { CliError } from './errors.js';
import { delegationInput, routingInput } from './line-commands.js';
import { type Row, toPrefixItem } from './rows.js';

/**
 * The kinds of object `apply` files, each sent to its line's bulk mutation: a row names its
 * `kind` (default `prefix`, so files written before kinds existed mean what they meant), or
 * inherits its YAML document's. Each kind builds the same input its single command sends, and
 * keys the row by its `key` or by a hash of its kind and content, so a re-apply is a no-op.
 */
export const KINDS = {
  prefix: { document: REQUEST_PREFIXES, aliases: ['ipam.prefix'] },
  routing: { document: REQUEST_ROUTING_CHANGES, aliases: ['routing.change'] },
  rdns: { document: REQUEST_REVERSE_DELEGATIONS, aliases: ['rdns.delegation'] },
  ticket: { document: ACT_ON_TICKETS, aliases: ['ticket.action'] },
  'eduroam-site': { document: DECLARE_EDUROAM_SITES, aliases: ['eduroam.site', 'eduroam_site'] },
} as const;
export type Kind = keyof typeof KINDS;

export interface Item {
  kind: Kind;
  idempotencyKey: string;
  input: Record<string, unknown>;
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
/** A list in YAML/JSON, or one CSV cell of values separated by spaces or semicolons. */
const list = (v: unknown): unknown[] =>
  Array.isArray(v)
    ? v
    : v === undefined || v === null || v === ''
      ? []
      : String(v)
          .split(/[\s;]+/)
          .filter(Boolean);
const submitOf = (row: Row) => {
  const s = str(row.submit);
  return s ? { draft: /^(false|no|0)$/i.test(s) } : {};
};

export function kindOf(row: Row): Kind | { error: string } {
  const named = str(row.kind)?.toLowerCase() ?? 'prefix';
  for (const [kind, k] of Object.entries(KINDS))
    if (kind === named || (k.aliases as readonly string[]).includes(named)) return kind as Kind;
  return { error: `kind: "${named}" is not one of ${Object.keys(KINDS).join(', ')}` };
}

export function toItem(row: Row): Item | { error: string } {
  const kind = kindOf(row);
  if (typeof kind !== 'string') return kind;
  try {
    if (kind === 'prefix') {
      const made = toPrefixItem(row);
      return 'error' in made ? made : { kind, ...made };
    }
    const institution = String(row.institution ?? row.institutionId ?? '');
    const input =
      kind === 'ticket'
        ? ticketActionInput(row)
        : kind === 'eduroam-site'
          ? eduroamSiteInput(row)
          : kind === 'routing'
            ? routingInput({
                institution,
                prefix: list(row.prefixes ?? row.prefix).map(String),
                // An explicit empty list (`prefixes: []`) withdraws everything; a missing one is an error.
                withdrawAll: Array.isArray(row.prefixes) && row.prefixes.length === 0,
                collector: str(row.collector ?? row.collectorId),
                session: str(row.session ?? row.sessionId),
                originAs: str(row.originAs),
                ...submitOf(row),
              })
            : delegationInput({
                institution,
                zone: String(row.zone ?? ''),
                ns: list(row.nameservers ?? row.ns).map((n) =>
                  n && typeof n === 'object'
                    ? `${(n as Row).name}=${list((n as Row).addresses).join(',')}`
                    : String(n),
                ),
                ds: list(row.ds).map((d) =>
                  d && typeof d === 'object'
                    ? [
                        (d as Row).keyTag,
                        (d as Row).algorithm,
                        (d as Row).digestType,
                        (d as Row).digest,
                      ].join(' ')
                    : String(d),
                ),
                ...submitOf(row),
              });
    return { kind, idempotencyKey: str(row.key) ?? `apply:${kind}:${contentHash(input)}`, input };
  } catch (e) {
    // A value the command cannot turn into GraphQL (a DS of three fields) fails its row only.
    if (e instanceof CliError) return { error: e.message };
    throw e;
  }
}

function contentHash(input: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}
