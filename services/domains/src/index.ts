import './workflow.js';
import './workflow-changes.js';
import './workflow-transfer.js';

/**
 * @guichet/domains: .fr names through AFNIC (EPP + frnic) and names under .prd.fr published in
 * the operator's own zone: the naming charter, eligibility, the letter of commitment, pricing,
 * the request kinds, the EPP client and the poll queue.
 */
export * from './charter.js';
export * from './epp/index.js';
export * from './letter.js';
export * from './model.js';
export * from './rules.js';
export * from './runtime.js';
export { drainPoll, storeAndAct } from './service/poll.js';
export * from './tables.js';
export { DOMAIN_REGISTRATION, registrationSchema } from './workflow.js';
export { changeSchema, DOMAIN_CHANGE } from './workflow-changes.js';
export { DOMAIN_TRANSFER, transferContext, transferSchema } from './workflow-transfer.js';
import './graphql/index.js';
export { DomainRef } from './graphql/index.js';
export { domainsJobs, POLL_JOB } from './jobs.js';
export * from './prd.js';
export { renderPrdVersion } from './service/prd.js';
