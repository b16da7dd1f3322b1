/**
 * RPSL and RIPE database registration for ipam: object model and text format, builders and
 * RIPE rules, the REST client, drift report and import planning. Re-exported from
 * services/ipam/src/index.ts by the service's owner.
 */
export * from './builders.js';
export * from './drift.js';
export * from './import.js';
export * from './model.js';
// Only the inetnum-specific helpers: @guichet/net now has its own formatRange/rangeToPrefixes.
export { type Ipv4Range, parseInetnumKey, rangeAsPrefix } from './range.js';
export * from './ripe-client.js';
export * from './status.js';
export type { RipeMessage, WhoisResourcesJson } from './whois-json.js';
