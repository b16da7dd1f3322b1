import { envInt } from '@guichet/core';
import { lineConfig } from '@guichet/workflow';
import { z } from 'zod';
import type { Limits } from './rules/facts.js';

/**
 * The circuits line's variables (read once by the host with every other fragment; they reach
 * code only through the env — `env.line('circuits').config`).
 */
export const circuitsConfig = lineConfig({
  /** Most bandwidth on shared infrastructure (L2VPN VLAN-to-VLAN, L3VPN), Mbit/s. */
  CIRCUITS_SHARED_MAX_MBPS: envInt(1, 100000).default(1000),
  /** Most bandwidth on a dedicated port or lambda, Mbit/s. */
  CIRCUITS_DEDICATED_MAX_MBPS: envInt(1, 100000).default(10000),
  /** Highest per-site prefix limit of an L3VPN (`import limit N action restart`). */
  CIRCUITS_MAX_PREFIX_LIMIT: envInt(1, 1000000).default(1000),
  /** Customer payload a circuit carries unless the design says otherwise (bytes). */
  CIRCUITS_PAYLOAD_MTU: envInt(576, 16000).default(1500),
  /** The operator's AS: the local AS of the PE's BGP sessions with L3VPN sites. */
  CIRCUITS_ASN: envInt(1, 4294967295).default(2200),
  /** The `bird` binary used for `bird -p` on generated PE configurations. */
  CIRCUITS_BIRD: z.string().trim().min(1).default('bird'),
});
export type CircuitsConfig = z.output<typeof circuitsConfig>;

/** What the circuits code reads at run time (`env.line('circuits')`). */
export interface CircuitsRuntime {
  config: CircuitsConfig;
  limits: Limits;
}

export function limitsOf(c: CircuitsConfig): Limits {
  return {
    sharedMaxMbps: c.CIRCUITS_SHARED_MAX_MBPS,
    dedicatedMaxMbps: c.CIRCUITS_DEDICATED_MAX_MBPS,
    maxPrefixLimit: c.CIRCUITS_MAX_PREFIX_LIMIT,
  };
}

export function circuitsRuntime(config: CircuitsConfig): CircuitsRuntime {
  return { config, limits: limitsOf(config) };
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    circuits: CircuitsRuntime;
  }
}
