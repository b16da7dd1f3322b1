/**
 * @guichet/dns: what two lines need of DNS (rdns for reverse zones, domains for .fr and
 * .prd.fr; antispam and eduroam for TXT/MX look-ups): a DNS client over UDP/TCP, the
 * pre-delegation checker (agrees with Zonemaster, check/zonemaster.test.ts), zone rendering,
 * named-checkzone, publication into Knot and verification by querying the server.
 */
export * from './check/index.js';
export { type DnsAnswer, DnsTimeout, type QueryOptions, query, type Rr } from './client.js';
export { type KnotTarget, knotPublisher, type Publisher, publishToKnot } from './knot/publish.js';
export * from './verify.js';
export { checkZoneText, type ZoneCheck } from './zone/check.js';
export * from './zone/render.js';
