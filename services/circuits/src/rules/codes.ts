import { PolicyRefusalError } from '@guichet/core';

/**
 * Every refusal of the circuits line, by its stable code (`PolicyRefusalError.rule`). Clients
 * switch on the code; the text is for people. The README's table is this list.
 */
export const RULES = {
  'circuits.p2p-two-endpoints': 'A point-to-point circuit (and every L2 circuit) has exactly two endpoints.',
  'circuits.no-vpls':
    'No VPLS: a multipoint Ethernet need is not offered; ask for an IP interconnection (L3VPN) between the sites instead.',
  'circuits.backup-point-to-point': 'Only a point-to-point circuit can have a backup.',
  'circuits.bandwidth-offer':
    'Up to 1 Gbit/s on shared infrastructure (L2VPN VLAN-to-VLAN, L3VPN), 10 Gbit/s on a dedicated port or lambda.',
  'circuits.bandwidth-capacity': "The bandwidth must fit in the port's remaining capacity.",
  'circuits.site-not-attached':
    'The site has no access to the backbone declared by the NOC (a port or a regional handoff).',
  'circuits.ipv6-not-yet-supported': 'L3VPN: IPv6 is not supported yet (being integrated).',
  'circuits.multicast-not-yet-supported': 'L3VPN: multicast is not supported yet (being integrated).',
  'circuits.l3vpn-prefix-limit':
    'L3VPN: every site has a prefix limit, and announces no more prefixes than it.',
  'circuits.technology-mismatch':
    'The technology must match the need (IP → L3VPN; Ethernet → an L2 technology).',
  'circuits.vlan-to-vlan-one-vid':
    'L2VPN VLAN-to-VLAN carries exactly one VID per endpoint; the site does QinQ to carry more (its VLANs become C-VLANs).',
  'circuits.one-vid-per-endpoint': 'L3VPN and lambda endpoints use exactly one VLAN on their port.',
  'circuits.port-to-port-whole-port':
    'L2VPN port-to-port takes the whole port: a dedicated port with nothing else on it, and no VID.',
  'circuits.port-mode':
    'VLAN services go on shared ports; a dedicated port carries one port-to-port or lambda circuit.',
  'circuits.lambda-same-speed': '10GE / lambda: both ends on dedicated ports of the same speed.',
  'circuits.qinq-l2-only': 'C-VLANs (QinQ) are for L2 services only.',
  'circuits.mtu-too-small':
    'Every hop, regional segments included, needs an L2 MTU of at least payload + 4 × tags.',
  'circuits.translation-not-allowed':
    'This handoff does not translate VLANs: the regional VID must equal the backbone VID.',
  'circuits.backup-same-port': 'A backup path uses other ports than the primary at each end.',
  'circuits.vid-outside-ranges': "A VID must be inside the scope's VLAN ranges.",
  'circuits.vlan-exhausted': 'No free VID is left in the scope.',
  'circuits.consent-pending': 'Another institution has not yet agreed to its site being an endpoint.',
  'circuits.segments-pending': 'A regional segment is not active yet: the order stays incomplete.',
  'circuits.service-not-open': "The institution's agreement does not open the circuits service.",
  'circuits.not-an-endpoint': 'Only the institution of an endpoint acts on that endpoint.',
  'circuits.rd-rt-invalid': 'A route distinguisher or route target outside the ranges of types 0, 1 and 2.',
  'circuits.rd-rt-exhausted': "The RD/RT administrator's number range is used up.",
  'circuits.no-rd-administrator': 'The NOC has not declared the RD/RT administrator (the operator’s AS).',
  'circuits.inventory-in-use': 'Inventory in use by a circuit cannot be changed that way.',
  'circuits.member-change':
    'Members are added to and removed from multipoint circuits only, keeping at least two.',
  'circuits.circuit-state': 'The circuit is not in a state that allows this change.',
  'circuits.bird-check': 'BIRD refused the generated configuration.',
} as const;

export type RuleCode = keyof typeof RULES;

export interface Violation {
  rule: RuleCode;
  message: string;
}

export function violation(rule: RuleCode, message: string): Violation {
  return { rule, message };
}

/** Throws the first violation as a PolicyRefusalError naming its rule; the message lists all. */
export function assertNone(violations: readonly Violation[]): void {
  const [first, ...rest] = violations;
  if (!first) return;
  const more = rest.length ? ` (and ${rest.map((v) => `${v.rule}: ${v.message}`).join('; ')})` : '';
  throw new PolicyRefusalError(first.rule, `${first.message}${more}`);
}

export function refuse(rule: RuleCode, message: string): never {
  throw new PolicyRefusalError(rule, message);
}
