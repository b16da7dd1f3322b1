import { defineLine } from '@guichet/workflow';
import { ipamConfigSchema } from './config.js';
import { ipamJobs } from './jobs.js';
import { ipamRuntime } from './register.js';
import { PREFIX_KIND, RETURN_KIND } from './workflow.js';

/** The ipam line: pools, assignments and reservations under RIPE NCC rules (see README.md). */
export const ipamLine = defineLine({
  name: 'ipam',
  title: 'IP prefixes',
  config: ipamConfigSchema,
  runtime: (config, host) => ipamRuntime(config, host.logger),
  kinds: [PREFIX_KIND, RETURN_KIND],
  jobs: ipamJobs,
  graphql: () => import('./graphql/index.js'),
});
