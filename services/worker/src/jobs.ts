import type { JobDefinition } from '@guichet/jobs';

// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
export type AnyJob = JobDefinition<any>;

/**
 * Every service line's jobs, one entry per line: add `ipamJobs` from `@guichet/ipam`… as the
 * lines gain a `jobs.ts`. The api's in-process runner (embedded engine) must get the same
 * definitions, so that a job enqueued there can run in either process.
 */
const serviceLines: readonly (readonly AnyJob[])[] = [];

/** The definitions the worker runs, with any extra ones a caller (or a test) adds. */
export function jobDefinitions(...extra: readonly AnyJob[]): AnyJob[] {
  return [...serviceLines.flat(), ...extra];
}
