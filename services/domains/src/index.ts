/**
 * @guichet/domains: .fr names through AFNIC (EPP + frnic) and names under .prd.fr published in
 * the operator's own zone: the naming charter, eligibility, the letter of commitment, pricing,
 * the request kinds, the EPP client and the poll queue.
 */

export * from './charter.js';
export * from './config.js';
export * from './epp/index.js';
export { domainsJobs, POLL_JOB } from './jobs.js';
export { parseServer, prdPublisher } from './knot/prd.js';
export * from './letter.js';
export { domainsLine } from './line.js';
export * from './model.js';
export * from './prd.js';
export * from './rules.js';
export { drainPoll, storeAndAct } from './service/poll.js';
export { renderPrdVersion } from './service/prd.js';
export * from './tables.js';
export { DOMAIN_REGISTRATION, REGISTRATION_KIND, registrationSchema } from './workflow.js';
export { CHANGE_KIND, changeSchema, DOMAIN_CHANGE } from './workflow-changes.js';
export { DOMAIN_TRANSFER, TRANSFER_KIND, transferContext, transferSchema } from './workflow-transfer.js';
