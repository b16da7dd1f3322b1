import type { Config } from '@guichet/core';
import type { Database } from '@guichet/db';
import { ipamJobs } from '@guichet/ipam';
import type { JobDefinition, JobRunner } from '@guichet/jobs';
import { rdnsJobs } from '@guichet/rdns';
import { bindWorkflowJobs, notifyJobs, workflowJobs } from '@guichet/workflow';

// biome-ignore lint/suspicious/noExplicitAny: the list mixes payload types; each definition checks its own
export type AnyJob = JobDefinition<any>;

/** The runner built from these definitions (rdns's re-check files requests that enqueue steps). */
let bound: JobRunner | null = null;

/**
 * The jobs the api knows: it enqueues them, and runs them itself on the embedded engine.
 * services/worker composes the same list (test/jobs-lists.test.ts keeps the two in step).
 */
export function apiJobDefinitions(database: Database, config: Config): AnyJob[] {
  return [
    ...workflowJobs,
    ...notifyJobs({ database, config }),
    ...ipamJobs(database),
    ...rdnsJobs(database, config, () => bound),
  ];
}

/** Handlers that enqueue follow-up work need the runner. */
export function bindApiJobs(database: Database, runner: JobRunner): void {
  bindWorkflowJobs(database, runner);
  bound = runner;
}
