/**
 * Durable background jobs in PostgreSQL (pg-boss), on both engines of `@guichet/db`.
 * Service lines declare jobs with `defineJob` in their `jobs.ts`; the api (embedded engine)
 * or services/worker (PostgreSQL server) runs them with `createJobRunner`.
 */
export { defineJob, type JobContext, type JobDefinition, type JobDefinitionInput } from './define.js';
export {
  createJobRunner,
  type JobRunner,
  type JobRunnerOptions,
  type SendOptions,
  type StartOptions,
} from './runner.js';
export { BOSS_SCHEMA, type JobInfo, type JobState } from './state.js';
export { buildTemplate } from './template.js';
