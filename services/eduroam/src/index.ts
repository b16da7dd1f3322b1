/**
 * @guichet/eduroam: activation, realms, RADIUS servers, the national proxy, probes, sites and the
 * eduroam database export. Hosts compose `eduroamLine`; other code uses this entry only.
 */
export * from './config.js';
export { dnsClientRealmDns, type RealmDns, realmToken } from './dns.js';
export { exportEduroam, validateInstitutionJson, validateRoJson } from './export/index.js';
export { RealmRef, ServerRef, SiteRef } from './graphql/index.js';
export { eduroamJobs, PROBE_ROUND_JOB, PROBE_SERVER_JOB, PUBLISH_JOB, PURGE_JOB } from './jobs.js';
export { eduroamLine } from './line.js';
export * from './model.js';
export { RadiusClient, RadiusTimeout } from './radius/client.js';
export { checkRaddb, stageRelease, swapLive } from './radius/deploy.js';
export { renderProxyConfig } from './radius/generate.js';
export * from './rules.js';
export { activationPayload, charterOf, requestActivation } from './service/activation.js';
export { probeRound, SERVER_DOWN } from './service/probes.js';
export { proxyModel, publishProxy } from './service/proxy.js';
export { realmProof, reserveRealm } from './service/realms.js';
export { declareServer, rotateSecret } from './service/servers.js';
export { declareSite } from './service/sites.js';
export { REALM_KIND, REALM_REQUEST, SERVER_DOWN_KIND } from './workflow.js';
