import { InvalidTransitionError } from '@guichet/core';

/**
 * The circuits vocabulary (DOMAIN.md "Circuits (VPN)"). Pure: values, lifecycles and their
 * transition tables; the same lists feed the CHECK constraints in tables.ts.
 */

/** What the institution asks for. */
export const TOPOLOGIES = ['p2p', 'multipoint'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** IP interconnection (routed) or Ethernet (bridged). */
export const SERVICES = ['ethernet', 'ip'] as const;
export type CircuitService = (typeof SERVICES)[number];

/** What the NOC chooses (the design step). */
export const TECHNOLOGIES = ['l2vpn_vlan', 'l2vpn_port', 'l3vpn', 'lambda'] as const;
export type Technology = (typeof TECHNOLOGIES)[number];

export const TECHNOLOGY_TEXT: Record<Technology, string> = {
  l2vpn_vlan: 'L2VPN VLAN-to-VLAN',
  l2vpn_port: 'L2VPN port-to-port',
  l3vpn: 'L3VPN',
  lambda: '10GE / lambda',
};

/** A technology's use of an access port: one VLAN on a shared port, or a whole dedicated port. */
export function portUse(t: Technology): 'vlan' | 'port' {
  return t === 'l2vpn_port' || t === 'lambda' ? 'port' : 'vlan';
}

export function isLayer2(t: Technology): boolean {
  return t !== 'l3vpn';
}

/** The common resource lifecycle (ARCHITECTURE.md "Requests, tickets, resources"), used as is. */
export const CIRCUIT_STATES = ['requested', 'provisioning', 'active', 'disabled', 'terminated'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

const CIRCUIT_TRANSITIONS: Record<CircuitState, readonly CircuitState[]> = {
  // The order is designed (VLANs, ports, RD/RT and capacity held), or abandoned.
  requested: ['provisioning', 'terminated'],
  // Every regional segment active and the configuration generated; or the order abandoned.
  provisioning: ['active', 'terminated'],
  // The NOC suspends it (the ports stay held), or it is terminated.
  active: ['disabled', 'terminated'],
  disabled: ['active', 'terminated'],
  terminated: [],
};

export function canMove(from: CircuitState, to: CircuitState): boolean {
  return CIRCUIT_TRANSITIONS[from].includes(to);
}

export function assertMove(from: CircuitState, to: CircuitState): void {
  if (!canMove(from, to)) throw new InvalidTransitionError('Circuit', from, to);
}

/** A regional (collecte) segment: ordered from the regional operator, then confirmed active. */
export const SEGMENT_STATES = ['requested', 'ordered', 'active', 'terminated'] as const;
export type SegmentState = (typeof SEGMENT_STATES)[number];

const SEGMENT_TRANSITIONS: Record<SegmentState, readonly SegmentState[]> = {
  requested: ['ordered', 'active', 'terminated'],
  ordered: ['active', 'terminated'],
  active: ['terminated'],
  terminated: [],
};

export function assertSegmentMove(from: SegmentState, to: SegmentState): void {
  if (!SEGMENT_TRANSITIONS[from].includes(to)) throw new InvalidTransitionError('RegionalSegment', from, to);
}

/** The other institution of a shared circuit agrees to its site being an endpoint. */
export const CONSENTS = ['own', 'pending', 'given', 'refused'] as const;
export type Consent = (typeof CONSENTS)[number];

export const PORT_MODES = ['shared', 'dedicated'] as const;
export type PortMode = (typeof PORT_MODES)[number];

export const PORT_SPEEDS = [1000, 10000, 40000, 100000] as const;
export const MIN_L2_MTU = 1500;
export const MAX_L2_MTU = 16000;

/** Primary path, and the backup a point-to-point circuit may have. */
export const PATHS = ['primary', 'backup'] as const;
export type CircuitPath = (typeof PATHS)[number];

export const VPN_TOPOLOGIES = ['mesh', 'hub_and_spoke'] as const;
export type VpnTopology = (typeof VPN_TOPOLOGIES)[number];

/** Route-target roles: one RT for a mesh; a hub RT and a spoke RT (the import/export pair). */
export const RT_ROLES = ['both', 'hub', 'spoke'] as const;
export type RtRole = (typeof RT_ROLES)[number];

/** `CIR-000042`: how people name a circuit. */
export function circuitReference(n: number): string {
  return `CIR-${String(n).padStart(6, '0')}`;
}

/** BIRD-safe, stable names (protocols, tables) from a circuit reference and a site. */
export function birdName(...parts: string[]): string {
  return parts
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}
