/**
 * @guichet/antispam: onboarding of institution mail domains onto the shared antispam gateway.
 * Hosts compose `antispamLine`; other code uses this entry only.
 */
export * from './config.js';
export { dnsClientProofDns, domainProof, type ProofDns, TXT_PREFIX } from './dns.js';
export { antispamJobs, PUBLISH_JOB } from './jobs.js';
export { antispamLine } from './line.js';
export * from './model.js';
export { checkRelease, stageAndSwap, writeRelease } from './postfix/deploy.js';
export { type PlatformInstitution, renderMaps } from './postfix/render.js';
export { copyRspamdConfig } from './rspamd/check.js';
export { gatewayIncludes } from './rspamd/deploy.js';
export * from './rules.js';
export { addListEntry, removeListEntry, setSettings } from './service/filtering.js';
export { listDomains, onboardingPayload } from './service/onboarding.js';
export { publishPlatform } from './service/publication.js';
export { publishRspamd } from './service/rspamd-publication.js';
export { runSelfTests } from './service/selftest.js';
export { ONBOARDING_KIND, ONBOARDING_REQUEST } from './workflow.js';
