import { defineLine } from '@guichet/workflow';
import { domainsConfigSchema, domainsRuntime } from './config.js';
import { domainsJobs } from './jobs.js';
import { REGISTRATION_KIND } from './workflow.js';
import { CHANGE_KIND } from './workflow-changes.js';
import { TRANSFER_KIND } from './workflow-transfer.js';

/** The domains line: .fr names through AFNIC over EPP, .prd.fr names in the operator's zone (README.md). */
export const domainsLine = defineLine({
  name: 'domains',
  title: 'Domain names',
  config: domainsConfigSchema,
  runtime: (config, host) => domainsRuntime(config, host),
  kinds: [REGISTRATION_KIND, CHANGE_KIND, TRANSFER_KIND],
  jobs: domainsJobs,
  graphql: () => import('./graphql/index.js'),
});
