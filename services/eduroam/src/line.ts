import { defineLine } from '@guichet/workflow';
import { eduroamConfigSchema, eduroamRuntime } from './config.js';
import { eduroamDemo } from './demo.js';
import { eduroamJobs } from './jobs.js';
import { REALM_KIND, SERVER_DOWN_KIND } from './workflow.js';

/**
 * The eduroam line: activation through the agreement (charter signed by the head), realms proved
 * in DNS, RADIUS servers with Guichet's secrets, the national FreeRADIUS proxy generated and
 * checked, Status-Server probes, sites and the eduroam database export (README.md).
 */
export const eduroamLine = defineLine({
  name: 'eduroam',
  title: 'eduroam',
  config: eduroamConfigSchema,
  runtime: (config, host) => eduroamRuntime(config, host.secrets),
  kinds: [REALM_KIND, SERVER_DOWN_KIND],
  jobs: eduroamJobs,
  graphql: () => import('./graphql/index.js'),
  demo: eduroamDemo,
});
