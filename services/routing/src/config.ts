import { envInt } from '@guichet/core';
import { lineConfig } from '@guichet/workflow';
import type { z } from 'zod';
import type { RoutingLimits } from './rules.js';

/** The routing line's variables (README's configuration table lists them). */
export const routingConfigSchema = lineConfig({
  /** Longest IPv4 prefix an institution may announce (IPv4 ≤ /24 by default). */
  ROUTING_MAX_V4: envInt(8, 32).default(24),
  /** Longest IPv6 prefix an institution may announce (IPv6 ≤ /48 by default). */
  ROUTING_MAX_V6: envInt(16, 128).default(48),
});

export type RoutingConfig = z.output<typeof routingConfigSchema>;

/** What routing's code reads at run time (`env.line('routing')`). */
export interface RoutingRuntime {
  config: RoutingConfig;
  limits: RoutingLimits;
}

export function routingRuntime(config: RoutingConfig): RoutingRuntime {
  return { config, limits: { maxV4: config.ROUTING_MAX_V4, maxV6: config.ROUTING_MAX_V6 } };
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    routing: RoutingRuntime;
  }
}
