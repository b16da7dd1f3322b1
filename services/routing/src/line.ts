import { ASSIGNMENT_RETURNED } from '@guichet/ipam';
import { defineLine, listen } from '@guichet/workflow';
import { routingConfigSchema, routingRuntime } from './config.js';
import { routingDemo } from './demo.js';
import { routingJobs } from './jobs.js';
import { withdrawForAssignment } from './service/withdraw.js';
import { ROUTING_CHANGE_KIND } from './workflow.js';

/** The routing line: collectors, sessions, announcements, BIRD configurations (see README.md). */
export const routingLine = defineLine({
  name: 'routing',
  title: 'Routing changes',
  config: routingConfigSchema,
  runtime: (config) => routingRuntime(config),
  kinds: [ROUTING_CHANGE_KIND],
  jobs: routingJobs,
  graphql: () => import('./graphql/index.js'),
  listens: [
    // A returned prefix is no longer announced: the collector's configuration follows.
    listen(ASSIGNMENT_RETURNED, async (env, tx, ctx, a) => {
      await withdrawForAssignment(env, tx, ctx, a);
    }),
  ],
  demo: routingDemo,
});
