/**
 * @guichet/circuits: circuit orders (L2VPN VLAN-to-VLAN and port-to-port, L3VPN, 10GE/lambda)
 * extended over the regional networks — the NOC's inventory, the `circuits.*` request kinds,
 * VLAN/RD/RT allocation, the PE BIRD configurations and the L2 provisioning sheets.
 */
export * from './bird/index.js';
export * from './config.js';
export { circuitsLine } from './line.js';
export * from './model.js';
export * from './rd-rt.js';
export * from './rules/index.js';
export { consentToEndpoint } from './service/consent.js';
export { designSchema } from './service/design.js';
export * from './service/inventory/index.js';
export { setCircuitState } from './service/lifecycle.js';
export { updateSegment } from './service/segments.js';
export { provisioningSheet } from './service/sheets.js';
export { allocateVlan, vlanMap } from './service/vlan-alloc.js';
export * from './tables.js';
export * from './workflow/index.js';
