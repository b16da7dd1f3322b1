import { randomUUID } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { apply } from './apply.js';
import { collect, integer } from './args.js';
import { type Client, createClient, type Document } from './client.js';
import { normalizeUrl, resolveServer, type StoredLogin, saveServer } from './config.js';
import { CANCEL_REQUEST, LOGIN, PREFIXES, REQUEST, REQUEST_PREFIX, REQUESTS, VIEWER } from './documents.js';
import { CliError, EXIT } from './errors.js';
import { parseFields, select } from './fields.js';
import type { ResultOf } from './graphql.js';
import { lineCommands } from './line-commands.js';
import { type CommandKit, institutionCommands, requestActions } from './more-commands.js';
import { failIfError, type Io, printJson, printTable, processIo } from './output.js';
import { readPassword } from './password.js';
import { serviceCommands } from './service-commands.js';
import { ticketCommands } from './ticket-commands.js';
import { tokenCommands } from './token-commands.js';

/**
 * `guichet`: the commands and their options. `main(argv, io)` never calls process.exit, so
 * tests run it in-process; bin/guichet.mjs sets the exit code from its answer.
 */

const EXIT_HELP = `
Exit codes: 0 ok, 1 some items failed (or the server returned a typed error), 2 usage,
3 authentication, 4 server unreachable or unavailable.
Environment: GUICHET_URL and GUICHET_TOKEN override the stored login.`;

interface Globals {
  server?: string;
  json?: boolean;
  fields?: string;
}

export async function main(
  argv: string[],
  io: Io = processIo,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<number> {
  const program = build(io, env, signal);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (program as Command & { result?: number }).result ?? EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (e instanceof CliError) {
      io.err(`error: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
      return e.exit;
    }
    throw e;
  }
}

function build(io: Io, env: NodeJS.ProcessEnv, signal?: AbortSignal): Command {
  const program = new Command('guichet')
    .description("Guichet's API for scripts: file requests, apply files of them, read what exists.")
    .option('--server <url>', 'server to talk to (default: the last one logged in to)')
    .option('--json', 'print JSON (for scripts) instead of a table')
    .option(
      '--fields <list>',
      'comma-separated fields to print (dotted for nested ones: sla.responseDueAt); the JSON keeps only them, a table shows them as its columns',
    )
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  const globals = () => program.opts<Globals>();
  const done = (code: number) => {
    (program as Command & { result?: number }).result = code;
  };
  const client = async (): Promise<Client> => {
    const server = globals().server;
    const s = await resolveServer(server ? { server } : {}, env);
    if (!s.token)
      throw new CliError(
        EXIT.AUTH,
        `no token for ${s.url}: run \`guichet login --url ${s.url} --token TOKEN\``,
      );
    return createClient(s.url, s.token);
  };
  const fields = () => parseFields(globals().fields);
  /** A whole value as JSON, cut to --fields. */
  const emit = (value: unknown) => printJson(io, select(value, fields()));
  const show = (value: unknown, rows: Record<string, unknown>[], columns: string[]) => {
    if (globals().json) return emit(value);
    const f = fields();
    printTable(io, f ? (select(rows, f) as Record<string, unknown>[]) : rows, f ?? columns);
  };
  /**
   * A mutation sent under an Idempotency-Key (`--key`, else a new one per command), retried
   * once when the network fails: if the first call did land, the retry gets its answer.
   */
  const keyed = async <T>(document: Document, variables: Record<string, unknown>, key?: string) => {
    const c = await client();
    const opts = { idempotencyKey: key ?? randomUUID() };
    const send = () => c.request<T>(document, variables, opts);
    return send().catch((e) =>
      e instanceof CliError && e.exit === EXIT.UNREACHABLE ? send() : Promise.reject(e),
    );
  };
  const sub = (parent: Command, name: string, description: string, example: string) =>
    parent.command(name).description(description).addHelpText('after', `\nExample:\n  ${example}`);

  sub(
    program,
    'login',
    'Store a credential for a server (in $XDG_CONFIG_HOME/guichet/config.json, mode 0600): an API token, or a staff LDAP login’s session',
    'guichet login --url https://guichet.example.net --token gch_…\n  guichet login --url https://guichet.example.net --ldap --username jdupont --password-stdin < pw',
  )
    .requiredOption('--url <url>', 'the server')
    .option(
      '--token <token>',
      'an API token (tokens are issued in the portal, with issueContactToken or `token create`)',
    )
    .option(
      '--ldap',
      'staff: log in with the operator directory (the session token is stored, not the password)',
    )
    .option('--username <uid>', 'with --ldap: the directory username')
    .option(
      '--password-stdin',
      'with --ldap: read the password from stdin (else GUICHET_PASSWORD, else a prompt)',
    )
    .action(
      async (o: {
        url: string;
        token?: string;
        ldap?: boolean;
        username?: string;
        passwordStdin?: boolean;
      }) => {
        const url = normalizeUrl(o.url);
        if (Boolean(o.token) === Boolean(o.ldap))
          throw new CliError(EXIT.USAGE, 'give --token TOKEN, or --ldap --username UID');
        let login: StoredLogin;
        if (o.ldap) {
          if (!o.username) throw new CliError(EXIT.USAGE, '--ldap needs --username');
          const password = await readPassword({ stdin: Boolean(o.passwordStdin) }, env);
          const { r } = await createClient(url).request(LOGIN, {
            username: o.username,
            password,
          });
          if (r.__typename !== 'LoginPayload') {
            const exit = r.__typename === 'UnavailableError' ? EXIT.UNREACHABLE : EXIT.AUTH;
            throw new CliError(exit, r.message ?? r.__typename, r.code);
          }
          login = { token: String(r.token), username: o.username, expiresAt: String(r.expiresAt) };
        } else login = { token: String(o.token) };
        const { viewer } = await createClient(url, login.token).request(VIEWER, {});
        if (viewer.kind === 'ANONYMOUS')
          throw new CliError(EXIT.AUTH, 'the server did not accept this token', 'UNAUTHENTICATED');
        const file = await saveServer(url, login, env);
        if (globals().json)
          printJson(io, { server: url, viewer, config: file, expiresAt: login.expiresAt ?? null });
        else
          io.out(
            `logged in to ${url} as ${viewer.name ?? viewer.id} (${viewer.kind.toLowerCase()}${login.expiresAt ? `, until ${login.expiresAt}` : ''}); saved in ${file}\n`,
          );
      },
    );

  sub(program, 'whoami', 'Who the stored credential is', 'guichet whoami --json').action(async () => {
    const c = await client();
    const { viewer } = await c.request(VIEWER, {});
    show(
      { server: c.url, ...viewer },
      [{ server: c.url, ...viewer }],
      ['server', 'kind', 'name', 'scope', 'authMethod'],
    );
  });

  sub(
    program,
    'api',
    'Send any GraphQL document (the escape hatch); prints the data as JSON',
    `guichet api 'query($id: ID!) { request(id: $id) { status } }' --var id=…`,
  )
    .argument('<document>', 'the query or mutation')
    .option(
      '--var <name=value>',
      'a variable (repeatable); a value that parses as JSON is sent as JSON',
      collect,
      [],
    )
    .option('--idempotency-key <key>', 'send a mutation under this Idempotency-Key')
    .action(async (document: string, o: { var: string[]; idempotencyKey?: string }) => {
      const data = await (await client()).request(
        document,
        parseVars(o.var),
        o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {},
      );
      printJson(io, data);
    });

  const prefix = program.command('prefix').description('IP prefixes of an institution');
  sub(
    prefix,
    'request',
    'Ask for a prefix (sent under an Idempotency-Key, retried once if the network fails)',
    'guichet prefix request --institution ID --family 6 --length 48 --purpose "campus"',
  )
    .requiredOption('--institution <id>', 'the institution')
    .requiredOption('--family <4|6>', 'IPv4 or IPv6')
    .requiredOption('--length <n>', 'prefix length, e.g. 48')
    .requiredOption('--purpose <text>', 'what it is for')
    .option('--site <id>', 'the site it serves')
    .option('--justification <text>', 'the documentation RIPE asks for (IPv4, IPv6 shorter than /48)')
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (!/^(?:ipv)?[46]$/i.test(String(o.family)))
        throw new CliError(EXIT.USAGE, '--family must be 4 or 6');
      const input = {
        institutionId: o.institution,
        family: `IPV${String(o.family).slice(-1)}`,
        length: integer(String(o.length), '--length'),
        purpose: o.purpose,
        ...(o.site ? { siteId: o.site } : {}),
        ...(o.justification ? { justification: o.justification } : {}),
        ...(o.draft ? { submit: false } : {}),
      };
      const { r } = await keyed<{ r: TypedResult }>(
        REQUEST_PREFIX,
        { input },
        typeof o.key === 'string' ? o.key : undefined,
      );
      failIfError(r);
      show(r.request, [r.request as Record<string, unknown>], ['id', 'kind', 'status', 'currentStep']);
    });
  sub(prefix, 'list', "An institution's prefixes", 'guichet prefix list --institution ID --json')
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const api = await client();
      // Every page: an institution may hold more prefixes than one page carries.
      const prefixes: Record<string, unknown>[] = [];
      for (let after: string | null = null; ; ) {
        const page: ResultOf<typeof PREFIXES> = await api.request(PREFIXES, { id: o.institution, after });
        const institution = page.institution;
        if (!institution)
          throw new CliError(EXIT.FAILED, `institution ${o.institution} not found`, 'NOT_FOUND');
        prefixes.push(...institution.prefixes.edges.map((e) => e.node));
        if (!institution.prefixes.pageInfo.hasNextPage) break;
        after = institution.prefixes.pageInfo.endCursor;
      }
      const rows = prefixes.map((p) => ({
        ...p,
        site: (p.site as { name?: string } | null)?.name,
      }));
      show(prefixes, rows, ['id', 'prefix', 'lifecycle', 'site', 'purpose']);
    });

  const request = program.command('request').description('Requests (every service line)');
  sub(
    request,
    'list',
    'Requests you may see, newest first',
    'guichet request list --status IN_PROGRESS --first 50',
  )
    .option('--institution <id>', 'only this institution’s')
    .option('--status <status>', 'only in this status (DRAFT, IN_PROGRESS, COMPLETED…)')
    .option('--kind <kind>', 'only this kind (ipam.prefix…)')
    .option('--first <n>', 'at most this many (≤ 100)', '20')
    .action(async (o: { institution?: string; status?: string; kind?: string; first: string }) => {
      const vars = {
        first: integer(o.first, '--first'),
        ...(o.institution ? { institutionId: o.institution } : {}),
        ...(o.status ? { status: o.status.toUpperCase() } : {}),
        ...(o.kind ? { kind: o.kind } : {}),
      };
      // `status` is checked by the server (an unknown one is a usage error), not typed here.
      const { requests } = await (await client()).request<ResultOf<typeof REQUESTS>>(REQUESTS, vars);
      const nodes = requests.edges.map((e) => e.node);
      show(nodes, nodes, ['id', 'kind', 'status', 'currentStep', 'title']);
    });
  sub(request, 'show', 'One request with its steps', 'guichet request show ID')
    .argument('<id>')
    .action(async (id: string) => {
      const { request: r } = await (await client()).request(REQUEST, { id });
      if (!r) throw new CliError(EXIT.FAILED, `request ${id} not found`, 'NOT_FOUND');
      if (globals().json) emit(r);
      else {
        printTable(io, [r], ['id', 'kind', 'status', 'currentStep', 'title']);
        printTable(io, r.steps as Record<string, unknown>[], [
          'name',
          'type',
          'state',
          'attempts',
          'lastError',
        ]);
      }
    });
  sub(request, 'cancel', 'Withdraw a request', 'guichet request cancel ID --reason "filed twice"')
    .argument('<id>')
    .option('--reason <text>', 'why')
    .action(async (id: string, o: { reason?: string }) => {
      const { r } = await (await client()).request<{ r: TypedResult }>(CANCEL_REQUEST, {
        input: { requestId: id, ...(o.reason ? { reason: o.reason } : {}) },
      });
      failIfError(r);
      show(r.request, [r.request as Record<string, unknown>], ['id', 'kind', 'status']);
    });

  const kit: CommandKit = { io, json: () => Boolean(globals().json), client, sub, show, emit, keyed };
  requestActions(request, kit);
  institutionCommands(program, kit);
  lineCommands(program, prefix, kit);
  tokenCommands(program, kit);
  ticketCommands(program, kit);
  serviceCommands(program, kit, env);

  sub(
    program,
    'apply',
    'File every row of a YAML, JSON or CSV file (kind: prefix, routing, rdns, eduroam-site or ticket); re-running it does nothing twice',
    'guichet apply -f changes.yaml --dry-run',
  )
    .requiredOption(
      '-f, --file <file>',
      'rows, each with its kind (default prefix): prefix: institution, family, length, purpose, [site, justification]; routing: institution, prefixes, [collector, session, originAs]; rdns: institution, zone, nameservers, [ds]; eduroam-site: institution, name, street, city, lon, lat, accessPoints, [encryption, tags…]; ticket: ticket, action (take, assign, release, comment, approve, return, reject), [staff, body, visible, step, reason]; any: [submit, key]',
    )
    .option('--dry-run', 'validate every row on the server; nothing is written')
    .addOption(new Option('--batch-size <n>', 'rows per call (≤ 500)').default('100'))
    .action(async (o: { file: string; dryRun?: boolean; batchSize: string }) => {
      const batchSize = integer(o.batchSize, '--batch-size');
      if (batchSize < 1 || batchSize > 500) throw new CliError(EXIT.USAGE, '--batch-size must be 1 to 500');
      done(
        await apply(await client(), io, {
          file: o.file,
          batchSize,
          ...(o.dryRun ? { dryRun: true } : {}),
          ...(globals().json ? { json: true } : {}),
          ...(signal ? { signal } : {}),
        }),
      );
    });
  return program;
}

interface TypedResult {
  __typename: string;
  code?: string;
  message?: string;
  request?: unknown;
}

function parseVars(pairs: string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const p of pairs) {
    const at = p.indexOf('=');
    if (at < 1) throw new CliError(EXIT.USAGE, `--var ${p}: expected name=value`);
    const raw = p.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    vars[p.slice(0, at)] = value;
  }
  return vars;
}
