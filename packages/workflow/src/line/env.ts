import type { Config, Logger, RequestContext, SecretBox } from '@guichet/core';
import type { Database, Tx } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';

/**
 * What a composed process gives every step, job and resolver: the database, the platform's
 * configuration, the job runner, and each composed service line's runtime (its own parsed
 * variables and the clients built from them). Built once per process by the host
 * (services/compose), or per test with `createEnv`; nothing of it lives in module state, so a
 * process may hold two envs (two configurations) side by side.
 */
export interface Env {
  readonly database: Database;
  /** The platform's variables (core); a line's own are in `line(name).config`. */
  readonly config: Config;
  readonly logger: Logger;
  /** Seals and opens secrets at rest under this process's key. */
  readonly secrets: SecretBox;
  /** Enqueues jobs (inside a transaction with `sendInTx`); null where no runner is attached. */
  readonly jobs: JobRunner | null;
  /** Cross-line reactions inside the caller's transaction (see defineHook). */
  readonly hooks: Hooks;
  /** The names of the composed lines, in composition order. */
  readonly lineNames: readonly string[];
  /** A composed line's runtime; throws when that line is not composed in this process. */
  line<K extends LineName>(name: K): LineRuntimes[K];
  /** Whether a line is composed here. */
  has(name: string): boolean;
}

/**
 * Each service line adds its runtime here (module augmentation in its config.ts):
 * `declare module '@guichet/workflow' { interface LineRuntimes { ipam: IpamRuntime } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one line at a time
export interface LineRuntimes {}
export type LineName = keyof LineRuntimes & string;

/** A point where one line lets others react, inside its transaction (`ipam.assignment-returned`). */
export interface Hook<A> {
  readonly name: string;
  /** Type carrier only. */
  readonly _arg?: A;
}

export type HookListener<A> = (env: Env, tx: Tx, ctx: RequestContext, arg: A) => Promise<void>;

export interface Listening {
  readonly hook: Hook<unknown>;
  readonly run: HookListener<unknown>;
}

export interface Hooks {
  /** Runs every composed listener of the hook, in composition order, in the caller's transaction. */
  emit<A>(hook: Hook<A>, tx: Tx, ctx: RequestContext, arg: A): Promise<void>;
  /** How many listeners a hook has here (tests, diagnostics). */
  count(hook: Hook<unknown>): number;
}

const HOOK_NAME = /^[a-z][a-z0-9]*\.[a-z][a-z0-9-]*$/;

export function defineHook<A>(name: string): Hook<A> {
  if (!HOOK_NAME.test(name)) throw new Error(`hook "${name}" must look like "line.what-happened"`);
  return { name };
}

/** A listener for a descriptor's `listens` list. */
export function listen<A>(hook: Hook<A>, run: HookListener<A>): Listening {
  return { hook: hook as Hook<unknown>, run: run as HookListener<unknown> };
}

declare module '@guichet/graphql' {
  interface GraphQLContext {
    /** The process's env (services/api builds it once and puts it in every context). */
    env: Env;
  }
}
