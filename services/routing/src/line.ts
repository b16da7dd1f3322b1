import { defineLine } from '@guichet/workflow';
import { routingConfigSchema, routingRuntime } from './config.js';
import { ROUTING_CHANGE_KIND } from './workflow.js';

/** The routing line: collectors, sessions, announcements, BIRD configurations (see README.md). */
export const routingLine = defineLine({
  name: 'routing',
  title: 'Routing changes',
  config: routingConfigSchema,
  runtime: (config) => routingRuntime(config),
  kinds: [ROUTING_CHANGE_KIND],
  graphql: () => import('./graphql/index.js'),
});
