import type { Logger, RequestContext, SecretBox } from '@guichet/core';
import type { JobDefinition } from '@guichet/jobs';
import { z } from 'zod';
import type { AnyKind } from '../kinds.js';
import type { Env, LineName, LineRuntimes, Listening } from './env.js';

/**
 * A service line's descriptor: everything a host needs to compose it, in one value exported by
 * the line's index. See services/README.md for the contract.
 */

/** What the host hands a line when it builds the line's runtime. */
export interface LineHost {
  logger: Logger;
  /** Where the process keeps local state (the embedded database, generated files). */
  dataDir: string;
  secrets: SecretBox;
}

// biome-ignore lint/suspicious/noExplicitAny: the composition mixes payload types; each definition checks its own
export type AnyJob = JobDefinition<any>;

export interface LineDescriptor<N extends string = string, C = unknown, R = unknown> {
  /** The folder name; also the queue, the config prefix and the job-name prefix. */
  readonly name: N;
  readonly title: string;
  /** The line's own variables, read by the host once together with every other fragment. */
  readonly config: z.ZodType<C>;
  /** Builds what the line's code reads at run time (its config, clients to its peers). */
  readonly runtime: (config: C, host: LineHost) => R;
  /** Its request kinds (registered by the composition). */
  readonly kinds?: readonly AnyKind[];
  /** Its background jobs; handlers close over the env. */
  readonly jobs?: (env: Env) => readonly AnyJob[];
  /** Registers its GraphQL types and fields on the shared builder. */
  readonly graphql?: () => Promise<unknown>;
  /** Its reactions to other lines' hooks. */
  readonly listens?: readonly Listening[];
  /** Demo data, so that the README's first five minutes work on a fresh embedded start. */
  readonly demo?: (env: Env, ctx: RequestContext) => Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of descriptors of different configs
export type AnyLine = LineDescriptor<string, any, any>;

/** Declares a line; its runtime must match what the line put in `LineRuntimes`. */
export function defineLine<N extends LineName, C>(
  d: LineDescriptor<N, C, LineRuntimes[N]>,
): LineDescriptor<N, C, LineRuntimes[N]> {
  if (!/^[a-z][a-z0-9]*$/.test(d.name))
    throw new Error(`line name "${d.name}" must be lower-case letters and digits`);
  for (const k of d.kinds ?? []) {
    if (!k.kind.startsWith(`${d.name}.`))
      throw new Error(`line ${d.name}: kind ${k.kind} must start with "${d.name}."`);
  }
  return d;
}

/** A line's configuration fragment: an object of environment variables (unknown ones ignored). */
export function lineConfig<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape);
}

/**
 * Parses one line's variables alone (tests and tools; the hosts parse every fragment together),
 * empty values counting as unset, as the hosts count them.
 */
export function parseLineVars<T extends z.ZodType>(
  schema: T,
  vars: Record<string, string | undefined> = {},
): z.output<T> {
  return schema.parse(
    Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== '')),
  );
}
