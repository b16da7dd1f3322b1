import type { CircuitPath, CircuitService, PortMode, Technology, Topology, VpnTopology } from '../model.js';

/** What the pure rules are given: the need, the design, and the inventory as it stands. */

export interface Limits {
  /** Most bandwidth on shared infrastructure (L2VPN VLAN-to-VLAN, L3VPN), Mbit/s. */
  sharedMaxMbps: number;
  /** Most bandwidth on a dedicated port or lambda, Mbit/s. */
  dedicatedMaxMbps: number;
  /** Highest per-site prefix limit of an L3VPN. */
  maxPrefixLimit: number;
}

export interface NeedEndpoint {
  siteId: string;
  institutionId: string;
  /** L3VPN: most prefixes the site announces (BIRD `import limit N action restart`). */
  prefixLimit?: number;
  /** L3VPN: the prefixes the site means to announce (private space is fine). */
  prefixes?: string[];
  /** Ethernet: the site's own VLANs it wants carried (QinQ C-VLANs, or a whole port). */
  vlans?: number[];
  /** L3VPN hub-and-spoke: this site is a hub. */
  hub?: boolean;
}

export interface Need {
  topology: Topology;
  service: CircuitService;
  bandwidthMbps: number;
  backup: boolean;
  ipv6: boolean;
  multicast: boolean;
  endpoints: NeedEndpoint[];
}

/** A port as the rules see it, under the lock the caller took. */
export interface PortFact {
  id: string;
  /** `par1-acc1 xe-0/0/3`. */
  label: string;
  speedMbps: number;
  mode: PortMode;
  capacityMbps: number;
  reservedMbps: number;
  l2Mtu: number;
  /** A dedicated port already given to a circuit. */
  dedicatedInUse: boolean;
  /** The port hands off to a regional network. */
  handoff?: {
    id: string;
    label: string;
    l2Mtu: number;
    translation: boolean;
    regionalNetwork: { id: string; label: string; l2Mtu: number };
  };
}

export interface DesignSegment {
  /** The regional operator's L2 MTU on the segment (default: the handoff's, else the network's). */
  l2Mtu?: number;
  /** The VID on the regional side (VLAN translation on the handoff); default the backbone VID. */
  remoteVid?: number;
  /** Tags the regional network adds itself (its own outer tag). */
  extraTags?: number;
}

export interface DesignBgp {
  /** The operator's address on the site link (private space is fine). */
  localAddress: string;
  peerAddress: string;
  peerAsn: number;
  /** Default: the need's limit for the site. */
  prefixLimit?: number;
  /** The site's router is not directly connected (eBGP multihop). */
  multihop?: boolean;
  localPort?: number;
  peerPort?: number;
}

export interface DesignAttachment {
  endpointId: string;
  path: CircuitPath;
  portId: string;
  /** VIDs on the port; empty: allocate one (VLAN services). */
  vids: number[];
  /** QinQ: the C-VLAN set carried inside the S-VLAN. */
  cvlans: number[];
  segment?: DesignSegment;
  bgp?: DesignBgp;
}

export interface Design {
  technology: Technology;
  /** Largest customer payload carried, bytes (default 1500). */
  payloadMtu: number;
  attachments: DesignAttachment[];
  vpnTopology: VpnTopology;
}

/** An endpoint of the circuit as stored (the need's side). */
export interface EndpointFact {
  id: string;
  siteId: string;
  /** `UNIV-A / Campus Nord`. */
  label: string;
  prefixLimit: number | null;
  prefixes: string[];
  hub: boolean;
}
