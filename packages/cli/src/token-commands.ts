import type { Command } from 'commander';
import { collect, enumList } from './args.js';
import { CREATE_TOKEN, REVOKE_TOKEN, TOKENS } from './documents.js';
import { CliError, EXIT } from './errors.js';
import type { CommandKit } from './more-commands.js';
import { failIfError } from './output.js';

type Row = Record<string, unknown>;
interface Typed {
  __typename: string;
  code?: string;
  message?: string;
  secret?: string;
  token?: Row;
}
const COLUMNS = ['id', 'name', 'kind', 'scope', 'expiresAt', 'lastUsedAt', 'revokedAt'];

/**
 * `token create|list|revoke`: API tokens for scripts. The secret exists in one answer only —
 * `createToken`'s — so `create` prints it once (to stdout, nothing else there in table mode, so
 * `$(guichet token create …)` captures just it) and no command can show it again.
 */
export function tokenCommands(program: Command, k: CommandKit): void {
  const token = program.command('token').description('API tokens (for scripts and CI jobs)');
  k.sub(
    token,
    'create',
    'Create a token; its secret is printed this once and never again',
    'TOKEN=$(guichet token create --name ci-nightly --scope read)',
  )
    .requiredOption('--name <name>', 'what it is for (1–100 characters)')
    .option('--scope <read|write>', 'read-only or read-write', 'read')
    .option('--expires <date>', 'when it stops working (ISO 8601; at most two years; default 90 days)')
    .option('--role <role>', 'staff: a script token holding this role of yours (repeatable)', collect, [])
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (o: { name: string; scope: string; expires?: string; role: string[]; key?: string }) => {
      const scope = o.scope.toUpperCase();
      if (scope !== 'READ' && scope !== 'WRITE')
        throw new CliError(EXIT.USAGE, '--scope must be read or write');
      if (o.expires !== undefined && Number.isNaN(Date.parse(o.expires)))
        throw new CliError(EXIT.USAGE, '--expires must be a date (ISO 8601)');
      const input = {
        name: o.name,
        scope,
        ...(o.expires ? { expiresAt: new Date(o.expires).toISOString() } : {}),
        ...(o.role.length ? { scriptRoles: enumList(o.role) } : {}),
      };
      const { r } = await k.keyed<{ r: Typed }>(CREATE_TOKEN, { input }, o.key);
      failIfError(r);
      if (k.json()) return k.emit({ secret: r.secret, ...r.token });
      k.io.out(`${r.secret}\n`);
      k.io.err(
        `token ${String(r.token?.id)} (${String(r.token?.name)}, ${scope.toLowerCase()}) until ${String(r.token?.expiresAt)}: the secret above is shown this once\n`,
      );
    });
  k.sub(token, 'list', 'Your tokens and those you created (never their secrets)', 'guichet token list --json')
    .option('--all', 'include revoked and expired ones')
    .action(async (o: { all?: boolean }) => {
      const { tokens } = await (await k.client()).request(TOKENS, {});
      const now = Date.now();
      const shown = o.all
        ? tokens
        : tokens.filter((t) => !t.revokedAt && Date.parse(String(t.expiresAt)) > now);
      k.show(shown, shown, COLUMNS);
    });
  k.sub(
    token,
    'revoke',
    'Revoke a token at once (revoking it twice changes nothing)',
    'guichet token revoke ID',
  )
    .argument('<id>')
    .action(async (id: string) => {
      const { r } = await k.keyed<{ r: Typed }>(REVOKE_TOKEN, { id });
      failIfError(r);
      k.show(r.token, [r.token ?? {}], COLUMNS);
    });
}
