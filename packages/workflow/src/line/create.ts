import { randomBytes } from 'node:crypto';
import {
  type Config,
  createLogger,
  createSecretBox,
  type Logger,
  loadConfig,
  type SecretBox,
} from '@guichet/core';
import type { Database, Tx } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { purgeIdempotencyJob } from '../idempotency/jobs.js';
import { ensureKind } from '../kinds.js';
import { notifyJobs } from '../notify/jobs.js';
import { externalStepJob } from '../requests/external.js';
import type { Env, Hook, HookListener, Hooks, LineName, LineRuntimes } from './env.js';
import type { AnyJob, AnyLine } from './line.js';

export interface CreateEnvOptions {
  database: Database;
  /** The lines composed in this env, in order (hooks run in this order). */
  lines: readonly AnyLine[];
  /** The platform's parsed configuration (default: defaults, as `loadConfig({})`). */
  config?: Config;
  /**
   * Each line's parsed variables by line name. Lines missing here are parsed from `vars` —
   * never from process.env: a test states the variables it wants.
   */
  lineConfigs?: Record<string, unknown>;
  vars?: Record<string, string | undefined>;
  logger?: Logger;
  secrets?: SecretBox;
  dataDir?: string;
  jobs?: JobRunner | null;
  /** Tests: replace or adjust what a line's runtime holds (a checker on a test port…). */
  runtimes?: { [K in LineName]?: (built: LineRuntimes[K]) => LineRuntimes[K] };
}

/** An env whose job runner is attached once the runner (built from the env's jobs) exists. */
export interface ComposedEnv extends Env {
  attachJobs(runner: JobRunner | null): void;
  /** The composed lines' descriptors, in order. */
  readonly lines: readonly AnyLine[];
  /** Every job of the platform and of the composed lines, for the runner. */
  jobDefinitions(): AnyJob[];
}

/** The platform's own jobs: the external steps of every kind, the notifications, the key purge. */
export function platformJobs(env: Env): AnyJob[] {
  return [
    externalStepJob(env),
    ...notifyJobs({ database: env.database, config: env.config }),
    purgeIdempotencyJob(env.database),
  ];
}

export function createEnv(opts: CreateEnvOptions): ComposedEnv {
  const config = opts.config ?? loadConfig({});
  const logger = opts.logger ?? createLogger('silent');
  const secrets = opts.secrets ?? createSecretBox(randomBytes(32));
  const dataDir = opts.dataDir ?? './data';
  const names = new Set<string>();
  const runtimes = new Map<string, unknown>();
  const listeners = new Map<string, HookListener<unknown>[]>();
  for (const line of opts.lines) {
    if (names.has(line.name)) throw new Error(`line ${line.name} is composed twice`);
    names.add(line.name);
    for (const k of line.kinds ?? []) ensureKind(k);
    const parsed =
      opts.lineConfigs && line.name in opts.lineConfigs
        ? opts.lineConfigs[line.name]
        : line.config.parse(
            Object.fromEntries(
              Object.entries(opts.vars ?? {}).filter(([, v]) => v !== undefined && v !== ''),
            ),
          );
    const built = line.runtime(parsed, { logger, dataDir, secrets });
    const adjust = (opts.runtimes as Record<string, ((b: unknown) => unknown) | undefined> | undefined)?.[
      line.name
    ];
    runtimes.set(line.name, adjust ? adjust(built) : built);
    for (const l of line.listens ?? []) {
      const list = listeners.get(l.hook.name) ?? [];
      list.push(l.run);
      listeners.set(l.hook.name, list);
    }
  }
  let jobs: JobRunner | null = opts.jobs ?? null;
  const hooks: Hooks = {
    async emit<A>(hook: Hook<A>, tx: Tx, ctx: Parameters<Hooks['emit']>[2], arg: A) {
      for (const run of listeners.get(hook.name) ?? []) await run(env, tx, ctx, arg);
    },
    count: (hook) => listeners.get(hook.name)?.length ?? 0,
  };
  const env: ComposedEnv = {
    database: opts.database,
    config,
    logger,
    secrets,
    get jobs() {
      return jobs;
    },
    hooks,
    lineNames: [...names],
    lines: opts.lines,
    line<K extends LineName>(name: K): LineRuntimes[K] {
      if (!runtimes.has(name)) throw new Error(`service line ${name} is not composed in this process`);
      return runtimes.get(name) as LineRuntimes[K];
    },
    has: (name) => runtimes.has(name),
    attachJobs(runner) {
      jobs = runner;
    },
    jobDefinitions() {
      const all = [...platformJobs(env), ...opts.lines.flatMap((l) => l.jobs?.(env) ?? [])];
      const seen = new Set<string>();
      for (const j of all) {
        if (seen.has(j.name)) throw new Error(`job ${j.name} is defined twice`);
        seen.add(j.name);
      }
      return all;
    },
  };
  return env;
}
