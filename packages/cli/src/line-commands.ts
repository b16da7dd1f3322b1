import type { Command } from 'commander';
import { collect, integer, pair } from './args.js';
import {
  DELEGATION,
  RDNS_DELEGATE,
  RDNS_ZONES,
  RECHECK_DELEGATION,
  RETURN_PREFIX,
  ROUTING,
  ROUTING_CHANGE,
} from './documents.js';
import { CliError, EXIT } from './errors.js';
import type { CommandKit } from './more-commands.js';
import { failIfError, printTable } from './output.js';

/**
 * Service-line commands beyond prefix requests: `prefix return`, `routing change|show`,
 * `rdns delegate|list|show|check`. Filing commands are sent under an Idempotency-Key, as
 * `prefix request` is; the input builders are exported for `apply` (one row, one input).
 */
type Row = Record<string, unknown>;
interface Typed {
  __typename: string;
  code?: string;
  message?: string;
  request?: Row;
  delegation?: Row;
}
const REQUEST_COLUMNS = ['id', 'kind', 'status', 'currentStep'];

/** `routing change` options (or an apply row) as a `RequestRoutingChangeInput`. */
export function routingInput(o: {
  institution: string;
  prefix: string[];
  collector?: string | undefined;
  session?: string | undefined;
  originAs?: string | number | undefined;
  pi?: string[] | undefined;
  draft?: boolean | undefined;
  withdrawAll?: boolean | undefined;
}): Row {
  // The list is the whole new list: an empty one withdraws every announcement, so it is never
  // what a forgotten option sends.
  if (!o.prefix.length && !o.withdrawAll)
    throw new CliError(
      EXIT.USAGE,
      'give the full new list of prefixes (--prefix, repeatable), or --withdraw-all to announce none',
    );
  if (o.prefix.length && o.withdrawAll) throw new CliError(EXIT.USAGE, '--withdraw-all takes no --prefix');
  return {
    institutionId: o.institution,
    prefixes: o.prefix,
    ...(o.collector ? { collectorId: o.collector } : {}),
    ...(o.session ? { sessionId: o.session } : {}),
    ...(o.originAs !== undefined && o.originAs !== ''
      ? { originAs: integer(String(o.originAs), '--origin-as') }
      : {}),
    ...(o.pi?.length
      ? {
          piEvidence: o.pi.map((p) => {
            const [prefix, evidence] = pair(p, '--pi');
            return { prefix, evidence };
          }),
        }
      : {}),
    ...(o.draft ? { submit: false } : {}),
  };
}

/** `--ns name[=addr,addr]` (glue for an in-zone server) and `--ds "tag alg type digest"`. */
export function delegationInput(o: {
  institution: string;
  zone: string;
  ns: string[];
  ds?: string[] | undefined;
  draft?: boolean | undefined;
}): Row {
  const nameservers = o.ns.map((n) => {
    const [name, addrs] = n.includes('=') ? pair(n, '--ns') : [n, ''];
    const addresses = addrs.split(',').filter(Boolean);
    return { name, ...(addresses.length ? { addresses } : {}) };
  });
  const ds = (o.ds ?? []).map((d) => {
    const parts = d.trim().split(/\s+/);
    if (parts.length !== 4)
      throw new CliError(EXIT.USAGE, `--ds "${d}": expected "keytag algorithm digest-type digest"`);
    const [keyTag, algorithm, digestType, digest] = parts as [string, string, string, string];
    return {
      keyTag: integer(keyTag, '--ds key tag'),
      algorithm: integer(algorithm, '--ds algorithm'),
      digestType: integer(digestType, '--ds digest type'),
      digest,
    };
  });
  return {
    institutionId: o.institution,
    zone: o.zone,
    nameservers,
    ...(ds.length ? { ds } : {}),
    ...(o.draft ? { submit: false } : {}),
  };
}

export function lineCommands(program: Command, prefix: Command, k: CommandKit): void {
  k.sub(
    prefix,
    'return',
    'Give a prefix back (it is quarantined before reuse)',
    'guichet prefix return ASSIGNMENT_ID --reason "site closed"',
  )
    .argument('<assignment>', 'the assignment (an id from `prefix list`)')
    .requiredOption('--reason <text>', 'why it is given back')
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (id: string, o: { reason: string; draft?: boolean; key?: string }) => {
      const input = { assignmentId: id, reason: o.reason, ...(o.draft ? { submit: false } : {}) };
      const { r } = await k.keyed<{ r: Typed }>(RETURN_PREFIX, { input }, o.key);
      failIfError(r);
      k.show(r.request, [r.request ?? {}], REQUEST_COLUMNS);
    });

  const routing = program
    .command('routing')
    .description('What an institution announces, through which collector');
  k.sub(
    routing,
    'change',
    'Ask for a routing change: the full new list of prefixes, and/or another collector',
    'guichet routing change --institution ID --collector ID --prefix 2001:db8:1::/48 --prefix 192.0.2.0/24',
  )
    .requiredOption('--institution <id>', 'the institution')
    .option('--prefix <prefix>', 'a prefix to announce (repeatable: the full new list)', collect, [])
    .option('--collector <id>', 'the collector (default: the current one; required the first time)')
    .option('--session <id>', 'the collector’s BGP session (default: the current one)')
    .option('--origin-as <asn>', 'the origin AS')
    .option('--pi <prefix=evidence>', 'evidence for a provider-independent prefix (repeatable)', collect, [])
    .option('--withdraw-all', 'announce no prefix at all (instead of --prefix)')
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (o: Parameters<typeof routingInput>[0] & { key?: string }) => {
      const { r } = await k.keyed<{ r: Typed }>(ROUTING_CHANGE, { input: routingInput(o) }, o.key);
      failIfError(r);
      k.show(r.request, [r.request ?? {}], REQUEST_COLUMNS);
    });
  k.sub(
    routing,
    'show',
    'An institution’s collector, session and announcements',
    'guichet routing show --institution ID --json',
  )
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const { institution } = await (await k.client()).request(ROUTING, {
        id: o.institution,
      });
      if (!institution)
        throw new CliError(EXIT.FAILED, `institution ${o.institution} not found`, 'NOT_FOUND');
      const r = institution.routing as Row;
      if (k.json()) return k.emit(r);
      const collector = (r.collector ?? {}) as Row;
      const session = (r.session ?? {}) as Row;
      printTable(
        k.io,
        [{ collector: collector.name, session: session.name, originAs: r.originAs, updatedAt: r.updatedAt }],
        ['collector', 'session', 'originAs', 'updatedAt'],
      );
      printTable(k.io, r.announcements as Row[], ['prefix', 'source', 'acceptedAt']);
    });

  const rdns = program.command('rdns').description('Reverse-zone delegations');
  k.sub(
    rdns,
    'delegate',
    'Ask for a reverse-zone delegation to your name servers (checked, then published)',
    'guichet rdns delegate --institution ID --zone 8.b.d.0.1.0.0.2.ip6.arpa --ns ns1.example.fr --ns ns2.example.fr',
  )
    .requiredOption('--institution <id>', 'the institution')
    .requiredOption('--zone <zone>', 'the reverse zone (from `rdns list`)')
    .option(
      '--ns <name[=addr,…]>',
      'a name server, with glue addresses if in the zone (repeatable)',
      collect,
      [],
    )
    .option('--ds <"tag alg type digest">', 'a DS record for a signed zone (repeatable)', collect, [])
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (o: Parameters<typeof delegationInput>[0] & { key?: string }) => {
      const { r } = await k.keyed<{ r: Typed }>(RDNS_DELEGATE, { input: delegationInput(o) }, o.key);
      failIfError(r);
      k.show(r.request, [r.request ?? {}], REQUEST_COLUMNS);
    });
  k.sub(
    rdns,
    'list',
    'An institution’s reverse zones and their delegations',
    'guichet rdns list --institution ID',
  )
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const { institution } = await (await k.client()).request(RDNS_ZONES, {
        id: o.institution,
      });
      if (!institution)
        throw new CliError(EXIT.FAILED, `institution ${o.institution} not found`, 'NOT_FOUND');
      const zones = institution.reverseZones as Row[];
      const rows = zones.map((z) => {
        const d = (z.delegation ?? {}) as Row;
        return { ...z, delegation: d.id, state: d.state };
      });
      k.show(zones, rows, ['zone', 'prefix', 'kind', 'delegation', 'state']);
    });
  k.sub(rdns, 'show', 'One delegation with its checks', 'guichet rdns show ID --json')
    .argument('<id>', 'the delegation')
    .action(async (id: string) => {
      const { delegation } = await (await k.client()).request(DELEGATION, { id });
      if (!delegation) throw new CliError(EXIT.FAILED, `delegation ${id} not found`, 'NOT_FOUND');
      if (k.json()) return k.emit(delegation);
      printTable(k.io, [delegation], ['id', 'zone', 'prefix', 'state', 'lastCheckAt']);
      const last = ((delegation.checks as Row[])[0]?.findings ?? []) as Row[];
      printTable(k.io, last, ['level', 'code', 'server', 'message']);
    });
  k.sub(rdns, 'check', 'Check a delegation’s name servers again now (NOC)', 'guichet rdns check ID')
    .argument('<id>', 'the delegation')
    .action(async (id: string) => {
      const { r } = await k.keyed<{ r: Typed }>(RECHECK_DELEGATION, { id });
      failIfError(r);
      k.show(r.delegation, [r.delegation ?? {}], ['id', 'zone', 'state', 'lastCheckAt']);
    });
}
