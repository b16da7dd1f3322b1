/** The input and output of `renderCollectorConfig` (model.ts). */

export interface PrefixInputEntry {
  prefix: string;
  /** Longest more-specific accepted (`{len,maxLength}`); absent = the exact prefix only. */
  maxLength?: number;
}

export interface InstitutionInput {
  shortName: string;
  originAs: number;
  prefixes: PrefixInputEntry[];
}

export interface SessionInput {
  /** Identifier-safe: `[A-Za-z][A-Za-z0-9_]*`. Names the protocol, filter and sets. */
  name: string;
  peerAddress: string;
  peerAsn: number;
  /** Per channel (IPv4, IPv6): `import limit N action restart`. */
  importLimit: number;
  localAddress?: string;
  localAsn?: number;
  institutions: InstitutionInput[];
  /** What the collector sends to the institution; default `none`. */
  export?: 'none' | 'all';
  /** eBGP multihop (sessions between loopbacks); a TTL or true for BIRD's default. */
  multihop?: boolean | number;
  localPort?: number;
  peerPort?: number;
  /** Seconds; BIRD's defaults (5 and 120) when absent. */
  connectDelayTime?: number;
  connectRetryTime?: number;
}

export interface CollectorConfigInput {
  collector: {
    name: string;
    /** IPv4 address, BIRD's router id. */
    routerId: string;
    asn: number;
    /** `import keep filtered on`: rejected routes stay visible (`show route filtered`). */
    keepFiltered?: boolean;
  };
  sessions: SessionInput[];
}

export interface RenderOptions {
  /** Longest IPv4 prefix accepted (default 24). */
  maxLengthV4?: number;
  /** Longest IPv6 prefix accepted (default 48). */
  maxLengthV6?: number;
}

export type RejectionCode =
  | 'INVALID_PREFIX'
  | 'IPV4_IN_IPV6'
  | 'BOGON'
  | 'TOO_LONG'
  | 'INVALID_MAX_LENGTH'
  | 'MAX_LENGTH_BELOW_PREFIX'
  | 'MAX_LENGTH_BEYOND_LIMIT'
  | 'OTHER_INSTITUTION';

export interface RejectedPrefix {
  session: string;
  institution: string;
  prefix: string;
  code: RejectionCode;
  reason: string;
}

export interface RenderedConfig {
  text: string;
  rejected: RejectedPrefix[];
  /** Entries written into the prefix sets, per family. */
  counts: { v4: number; v6: number };
}
