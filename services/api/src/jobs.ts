import type { JobDefinition } from '@guichet/jobs';

// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
export type AnyJob = JobDefinition<any>;

/**
 * The job definitions the api knows: it enqueues them, and runs them itself on the embedded
 * engine. services/worker lists the same ones (test/jobs-lists.test.ts keeps both in step).
 */
export function apiJobDefinitions(): AnyJob[] {
  return [];
}
