import { parseAddress } from '@guichet/net';
import { isLayer2, portUse, TECHNOLOGY_TEXT } from '../model.js';
import { type Hop, mtuShortfalls } from '../vlans.js';
import { type Violation, violation } from './codes.js';
import type { Design, DesignAttachment, EndpointFact, Limits, Need, PortFact } from './facts.js';
import { prefixLimitViolations, remaining } from './need.js';

/**
 * The invariants of a design: the NOC's technology, ports, VIDs, QinQ, regional segments and
 * BGP sessions against the need and the inventory (read under lock by the caller). Pure; every
 * violation is returned, the structural ones first. Bandwidth is counted per port over all the
 * circuit's attachments, so two ends on one handoff need room for both.
 */
export function designViolations(
  need: Need,
  endpoints: readonly EndpointFact[],
  design: Design,
  ports: ReadonlyMap<string, PortFact>,
  limits: Limits,
): Violation[] {
  const out: Violation[] = [];
  const t = design.technology;
  const name = TECHNOLOGY_TEXT[t];
  if ((t === 'l3vpn') !== (need.service === 'ip')) {
    out.push(
      violation(
        'circuits.technology-mismatch',
        need.service === 'ip'
          ? `an IP interconnection is an L3VPN, not ${name}`
          : `an Ethernet need is carried at layer 2, not by an L3VPN`,
      ),
    );
    return out;
  }
  if (isLayer2(t) && (need.topology === 'multipoint' || endpoints.length > 2)) {
    out.push(
      violation(
        'circuits.no-vpls',
        `${name} is point-to-point and VPLS is not offered: a multipoint need is an L3VPN`,
      ),
    );
    return out;
  }
  if (isLayer2(t) && endpoints.length !== 2) {
    out.push(
      violation('circuits.p2p-two-endpoints', `${name} has exactly two endpoints, not ${endpoints.length}`),
    );
    return out;
  }
  if (portUse(t) === 'vlan' && need.bandwidthMbps > limits.sharedMaxMbps) {
    out.push(
      violation(
        'circuits.bandwidth-offer',
        `${name} runs on shared infrastructure: at most ${limits.sharedMaxMbps} Mbit/s, not ${need.bandwidthMbps}`,
      ),
    );
  }
  out.push(...attachmentViolations(need, endpoints, design, ports, limits));
  out.push(...capacityViolations(need, design, ports));
  if (t === 'lambda') {
    const speeds = new Set(
      design.attachments.filter((a) => a.path === 'primary').map((a) => ports.get(a.portId)?.speedMbps),
    );
    if (speeds.size > 1) {
      out.push(
        violation(
          'circuits.lambda-same-speed',
          `a lambda joins ports of the same speed, not ${[...speeds].join(' and ')} Mbit/s`,
        ),
      );
    }
  }
  return out;
}

function attachmentViolations(
  need: Need,
  endpoints: readonly EndpointFact[],
  design: Design,
  ports: ReadonlyMap<string, PortFact>,
  limits: Limits,
): Violation[] {
  const out: Violation[] = [];
  const t = design.technology;
  const byEndpoint = new Map(endpoints.map((e) => [e.id, e]));
  for (const a of design.attachments) {
    const port = ports.get(a.portId);
    const e = byEndpoint.get(a.endpointId);
    if (!port || !e) continue; // the caller reports unknown ids as validation errors
    const where = `${e.label} (${a.path}, port ${port.label})`;
    if (portUse(t) === 'vlan') {
      if (port.mode !== 'shared') {
        out.push(
          violation(
            'circuits.port-mode',
            `${where}: ${TECHNOLOGY_TEXT[t]} takes a VLAN on a shared port, and this port is dedicated`,
          ),
        );
      }
      if (a.vids.length > 1) {
        out.push(
          t === 'l2vpn_vlan'
            ? violation(
                'circuits.vlan-to-vlan-one-vid',
                `${where}: VLAN-to-VLAN carries one VID per endpoint, not ${a.vids.length}; the site does QinQ to carry more (give its VLANs as C-VLANs)`,
              )
            : violation('circuits.one-vid-per-endpoint', `${where}: one VLAN per site, not ${a.vids.length}`),
        );
      }
    } else {
      if (port.mode !== 'dedicated' || port.dedicatedInUse) {
        out.push(
          violation(
            t === 'l2vpn_port' ? 'circuits.port-to-port-whole-port' : 'circuits.port-mode',
            `${where}: ${TECHNOLOGY_TEXT[t]} takes the whole port, and this port is ${port.mode === 'dedicated' ? 'already given to another circuit' : 'shared by VLANs'}`,
          ),
        );
      }
      if (t === 'l2vpn_port' && (a.vids.length > 0 || a.cvlans.length > 0)) {
        out.push(
          violation(
            'circuits.port-to-port-whole-port',
            `${where}: port-to-port carries every VLAN of the port: no VID to give`,
          ),
        );
      }
      if (t === 'lambda' && a.vids.length > 1) {
        out.push(
          violation(
            'circuits.one-vid-per-endpoint',
            `${where}: a lambda carries one VLAN, not ${a.vids.length}`,
          ),
        );
      }
    }
    if (t === 'l3vpn') {
      if (a.cvlans.length)
        out.push(violation('circuits.qinq-l2-only', `${where}: C-VLANs are for L2 services`));
      out.push(...bgpViolations(where, e, a, limits));
    }
    out.push(...segmentViolations(where, a, port));
    out.push(...mtuViolations(where, need, design, a, port));
  }
  out.push(...backupViolations(design, byEndpoint, ports));
  return out;
}

function bgpViolations(where: string, e: EndpointFact, a: DesignAttachment, limits: Limits): Violation[] {
  if (!a.bgp) return [];
  const out: Violation[] = [];
  const fams = [a.bgp.localAddress, a.bgp.peerAddress].map((x) => parseAddress(x).family);
  if (fams.includes(6)) {
    out.push(
      violation('circuits.ipv6-not-yet-supported', `${where}: IPv6 BGP sessions are not supported yet`),
    );
  }
  const limit = a.bgp.prefixLimit ?? e.prefixLimit;
  out.push(...prefixLimitViolations(where, limit, e.prefixes.length, limits));
  return out;
}

function segmentViolations(where: string, a: DesignAttachment, port: PortFact): Violation[] {
  const h = port.handoff;
  if (!h || !a.segment) return [];
  const local = a.vids[0];
  const remote = a.segment.remoteVid;
  if (remote !== undefined && local !== undefined && remote !== local && !h.translation) {
    return [
      violation(
        'circuits.translation-not-allowed',
        `${where}: handoff ${h.label} does not translate VLANs: the regional VID must be ${local}, not ${remote}`,
      ),
    ];
  }
  return [];
}

/** 802.1Q tags on the customer's frames at the access: the S-VLAN, plus the C-VLAN under QinQ. */
export function accessTags(design: Pick<Design, 'technology'>, a: Pick<DesignAttachment, 'cvlans'>): number {
  if (design.technology === 'l3vpn') return 1;
  // Port-to-port carries the customer's own tagged frames.
  if (design.technology === 'l2vpn_port') return 1;
  return 1 + (a.cvlans.length > 0 ? 1 : 0);
}

/** The hops of one attachment: its access port and, behind a handoff, the regional segment. */
export function hopsOf(design: Pick<Design, 'technology'>, a: DesignAttachment, port: PortFact): Hop[] {
  const tags = accessTags(design, a);
  const hops: Hop[] = [{ name: `port ${port.label}`, l2Mtu: port.l2Mtu, tags }];
  if (port.handoff) {
    const l2Mtu = a.segment?.l2Mtu ?? port.handoff.l2Mtu ?? port.handoff.regionalNetwork.l2Mtu;
    hops.push({
      name: `regional segment ${port.handoff.regionalNetwork.label} (handoff ${port.handoff.label})`,
      l2Mtu,
      tags: tags + (a.segment?.extraTags ?? 0),
    });
  }
  return hops;
}

function mtuViolations(
  where: string,
  _need: Need,
  design: Design,
  a: DesignAttachment,
  port: PortFact,
): Violation[] {
  return mtuShortfalls(design.payloadMtu, hopsOf(design, a, port)).map((h) =>
    violation(
      'circuits.mtu-too-small',
      `${where}: ${h.name} has an L2 MTU of ${h.l2Mtu}; ${design.payloadMtu} bytes of payload under ${h.tags} tag${h.tags > 1 ? 's' : ''} need ${h.required}`,
    ),
  );
}

function backupViolations(
  design: Design,
  endpoints: ReadonlyMap<string, EndpointFact>,
  ports: ReadonlyMap<string, PortFact>,
): Violation[] {
  const out: Violation[] = [];
  for (const b of design.attachments.filter((x) => x.path === 'backup')) {
    const p = design.attachments.find((x) => x.path === 'primary' && x.endpointId === b.endpointId);
    if (p && p.portId === b.portId) {
      out.push(
        violation(
          'circuits.backup-same-port',
          `${endpoints.get(b.endpointId)?.label ?? b.endpointId}: the backup uses port ${ports.get(b.portId)?.label ?? b.portId} like the primary`,
        ),
      );
    }
  }
  return out;
}

/** Demand per port (all attachments of the circuit on it) against what is left there. */
function capacityViolations(need: Need, design: Design, ports: ReadonlyMap<string, PortFact>): Violation[] {
  const demand = new Map<string, number>();
  for (const a of design.attachments) demand.set(a.portId, (demand.get(a.portId) ?? 0) + need.bandwidthMbps);
  const out: Violation[] = [];
  for (const [id, mbps] of [...demand].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = ports.get(id);
    if (!p) continue;
    const left = portUse(design.technology) === 'port' ? p.speedMbps : remaining(p);
    if (mbps > left) {
      out.push(
        violation(
          'circuits.bandwidth-capacity',
          `port ${p.label}: ${mbps} Mbit/s asked, ${left} Mbit/s left of its ${p.capacityMbps} Mbit/s capacity`,
        ),
      );
    }
  }
  return out;
}
