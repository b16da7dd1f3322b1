import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Config,
  createSecretBox,
  type Logger,
  loadConfigs,
  newSecretsKey,
  parseSecretsKey,
  type SecretBox,
} from '@guichet/core';
import type { Database } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { type AnyLine, type ComposedEnv, type CreateEnvOptions, createEnv } from '@guichet/workflow';
import { LINES } from './lines.js';

/** The platform's configuration and every composed line's, read from one environment at once. */
export interface ComposedConfig {
  core: Config;
  lines: Record<string, unknown>;
}

/**
 * Reads the configuration of the platform and of every line: a bad variable anywhere stops the
 * process with a message naming it (ConfigError).
 */
export function loadComposedConfig(
  vars: Record<string, string | undefined> = process.env,
  lines: readonly AnyLine[] = LINES,
): ComposedConfig {
  const { core, fragments } = loadConfigs(vars, Object.fromEntries(lines.map((l) => [l.name, l.config])));
  return { core, lines: fragments };
}

/**
 * The key that seals secrets at rest: SECRETS_KEY, else a key file in DATA_DIR made once (0600).
 * Every process sharing a database must share the key: set SECRETS_KEY when there are several.
 */
export function secretsFor(config: Config, logger?: Logger): SecretBox {
  if (config.SECRETS_KEY) return createSecretBox(parseSecretsKey(config.SECRETS_KEY));
  const dir = resolve(config.DATA_DIR);
  const file = join(dir, 'secrets.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${newSecretsKey()}\n`, { mode: 0o600, flag: 'wx' });
    logger?.warn(
      { file },
      'SECRETS_KEY is unset: made a key file (set SECRETS_KEY when several processes share the database)',
    );
  }
  chmodSync(file, 0o600);
  return createSecretBox(parseSecretsKey(readFileSync(file, 'utf8')));
}

export interface ComposeOptions {
  database: Database;
  config: ComposedConfig;
  logger: Logger;
  lines?: readonly AnyLine[];
  secrets?: SecretBox;
  jobs?: JobRunner | null;
  /** Tests: adjust a line's runtime. */
  runtimes?: CreateEnvOptions['runtimes'];
}

/** The env of a host process: every line of the composition list, with its configuration. */
export function composeEnv(opts: ComposeOptions): ComposedEnv {
  return createEnv({
    database: opts.database,
    lines: opts.lines ?? LINES,
    config: opts.config.core,
    lineConfigs: opts.config.lines,
    logger: opts.logger,
    secrets: opts.secrets ?? secretsFor(opts.config.core, opts.logger),
    dataDir: opts.config.core.DATA_DIR,
    jobs: opts.jobs ?? null,
    ...(opts.runtimes ? { runtimes: opts.runtimes } : {}),
  });
}

/** Registers every composed line's GraphQL on the shared builder (before the schema is built). */
export async function loadLineGraphQL(lines: readonly AnyLine[] = LINES): Promise<void> {
  for (const l of lines) await l.graphql?.();
}
