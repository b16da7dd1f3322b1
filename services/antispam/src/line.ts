import { defineLine } from '@guichet/workflow';
import { antispamConfigSchema, antispamRuntime } from './config.js';
import { antispamJobs } from './jobs.js';
import { ONBOARDING_KIND, REPORT_KIND } from './workflow.js';

/**
 * The antispam line: institutions connect their mail domains to the shared inbound gateway
 * (Postfix with LDAP recipient validation): domains proved in DNS, directory and next hops
 * self-tested against the real servers, the gateway's maps generated, checked and swapped in
 * (README.md).
 */
export const antispamLine = defineLine({
  name: 'antispam',
  title: 'Antispam',
  config: antispamConfigSchema,
  runtime: (config, host) => antispamRuntime(config, host.secrets),
  kinds: [ONBOARDING_KIND, REPORT_KIND],
  jobs: antispamJobs,
  graphql: () => import('./graphql/index.js'),
});
