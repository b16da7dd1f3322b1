import { envBool, envInt, envList } from '@guichet/core';
import { lineConfig } from '@guichet/workflow';
import { z } from 'zod';
import type { RipeClient } from './rpsl/ripe-client.js';

/** The ipam line's variables (README's configuration table lists them). */
export const ipamConfigSchema = lineConfig({
  /** A policy approves standard prefix requests (one IPv6 /48 per site) without the NOC. */
  IPAM_AUTO_APPROVE: envBool.default(true),
  /** RIPE Database REST API (`https://rest.db.ripe.net`); unset: registration is recorded as not configured. */
  RIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** `<keyId>:<secret>`, sent as HTTP Basic auth. */
  RIPE_API_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]+:.+$/, 'must be <keyId>:<secret>')
    .optional(),
  RIPE_SOURCE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a source name such as RIPE or TEST')
    .transform((v) => v.toUpperCase())
    .default('RIPE'),
  /** Defaults for objects whose assignment has none: comma-separated handles. */
  RIPE_MNT_BY: envList.optional(),
  RIPE_ADMIN_C: envList.optional(),
  RIPE_TECH_C: envList.optional(),
  RIPE_COUNTRY: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
    .transform((v) => v.toUpperCase())
    .default('FR'),
  /** Delay before the first retry of a failed RIPE write (doubling, 5 retries). */
  RIPE_RETRY_DELAY_SECONDS: envInt(1, 24 * 3600).default(60),
}).superRefine((c, ctx) => {
  if (c.RIPE_API_URL && !c.RIPE_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['RIPE_API_URL'], message: 'RIPE_API_URL needs RIPE_API_KEY too' });
  }
});

export type IpamConfig = z.output<typeof ipamConfigSchema>;

/** Where the RIPE objects' defaults come from; null when no RIPE database is configured. */
export interface RipeSettings {
  source: string;
  mntBy: string[];
  adminC: string[];
  techC: string[];
  country: string;
}

/** What ipam's code reads at run time (`env.line('ipam')`). */
export interface IpamRuntime {
  config: IpamConfig;
  /** The RIPE database client, or null when RIPE_API_URL is unset. */
  ripe: RipeClient | null;
  ripeSettings: RipeSettings | null;
}

declare module '@guichet/workflow' {
  interface LineRuntimes {
    ipam: IpamRuntime;
  }
}
