import { ASSIGNMENT_RETURNED } from '@guichet/ipam';
import { defineLine, listen } from '@guichet/workflow';
import { rdnsConfigSchema, rdnsRuntime } from './config.js';
import { rdnsJobs } from './jobs.js';
import { withdrawForAssignment } from './service/delegations.js';
import { DELEGATION_KIND, LAME_KIND } from './workflow.js';

/** The rdns line: reverse-zone delegation, checked, published into Knot, re-checked (README.md). */
export const rdnsLine = defineLine({
  name: 'rdns',
  title: 'Reverse-zone delegation',
  config: rdnsConfigSchema,
  runtime: (config) => rdnsRuntime(config),
  kinds: [DELEGATION_KIND, LAME_KIND],
  jobs: rdnsJobs,
  graphql: () => import('./graphql/index.js'),
  listens: [
    // A returned assignment takes its delegations with it, in the same transaction.
    listen(ASSIGNMENT_RETURNED, async (_env, tx, ctx, a) => {
      await withdrawForAssignment(tx, ctx, a.id);
    }),
  ],
});
