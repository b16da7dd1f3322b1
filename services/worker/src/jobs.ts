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
 * Every job Guichet runs, for a given database: the workflow's external steps and its email
 * notifications now, each service line's `jobs.ts` as the lines arrive. The api (which runs
 * jobs itself on the embedded engine) composes the same list through this function, so a job
 * enqueued by one process can run in the other.
 */
export function jobDefinitions(database: Database, config: Config, ...extra: readonly AnyJob[]): AnyJob[] {
  return [
    ...workflowJobs,
    ...notifyJobs({ database, config }),
    ...ipamJobs(database),
    ...rdnsJobs(database, config, () => bound),
    ...extra,
  ];
}

/** Handlers that need the runner itself (to enqueue the next step) learn it here. */
export function bindJobs(database: Database, runner: JobRunner): void {
  bindWorkflowJobs(database, runner);
  bound = runner;
}
