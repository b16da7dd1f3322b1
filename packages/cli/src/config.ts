import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './errors.js';

/**
 * Credentials per server, in `$XDG_CONFIG_HOME/guichet/config.json` (default
 * `~/.config/guichet/config.json`), mode 0600: the file holds API tokens. `GUICHET_URL` and
 * `GUICHET_TOKEN` override it (CI jobs, containers), `--server` picks one of the stored servers.
 */
export interface ConfigFile {
  /** The server used when none is named. */
  current?: string;
  servers: Record<string, StoredLogin>;
}

export interface StoredLogin {
  token: string;
  /** A staff LDAP login's session: who, and when it ends (an API token has neither). */
  username?: string;
  expiresAt?: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'guichet', 'config.json');
}

export async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<ConfigFile> {
  try {
    const parsed = JSON.parse(await readFile(configPath(env), 'utf8')) as ConfigFile;
    return { ...parsed, servers: parsed.servers ?? {} };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw new CliError(EXIT.USAGE, `cannot read ${configPath(env)}: ${(e as Error).message}`);
  }
}

export async function saveServer(url: string, login: StoredLogin, env: NodeJS.ProcessEnv = process.env) {
  const file = configPath(env);
  const config = await readConfig(env);
  config.servers[url] = login;
  config.current = url;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written aside then renamed, created 0600 from the start: the token is never readable by others.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(partial, 0o600);
  await rename(partial, file);
  return file;
}

/** The server and token a command talks to. */
export async function resolveServer(
  opts: { server?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; token?: string }> {
  const config = await readConfig(env);
  const url = normalizeUrl(opts.server || env.GUICHET_URL || config.current || '');
  if (!url) throw new CliError(EXIT.AUTH, 'not logged in: run `guichet login --url URL --token TOKEN`');
  const stored = config.servers[url];
  // A lapsed staff session is said plainly, not left for the server to refuse without a reason.
  if (!env.GUICHET_TOKEN && stored?.expiresAt && Date.parse(stored.expiresAt) <= Date.now())
    throw new CliError(
      EXIT.AUTH,
      `the session of ${stored.username ?? 'this login'} ended at ${stored.expiresAt}: run \`guichet login --url ${url} --ldap --username ${stored.username ?? 'USER'}\``,
    );
  const token = env.GUICHET_TOKEN || stored?.token;
  return { url, ...(token ? { token } : {}) };
}

/** `https://host/` and `https://host/graphql` name the same server. */
export function normalizeUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/graphql$/, '');
}
