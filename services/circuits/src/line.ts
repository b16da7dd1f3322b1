import { defineLine } from '@guichet/workflow';
import { circuitsConfig, circuitsRuntime } from './config.js';
import { circuitsDemo } from './demo.js';
import { BANDWIDTH_KIND, MEMBER_KIND, TERMINATION_KIND } from './workflow/changes.js';
import { ORDER_KIND } from './workflow/order.js';

/** The circuits line: circuit orders over the backbone and the regional networks (see README.md). */
export const circuitsLine = defineLine({
  name: 'circuits',
  title: 'Circuits (VPN)',
  config: circuitsConfig,
  runtime: (config) => circuitsRuntime(config),
  kinds: [ORDER_KIND, BANDWIDTH_KIND, MEMBER_KIND, TERMINATION_KIND],
  graphql: () => import('./graphql/index.js'),
  demo: circuitsDemo,
});
