import type { RequestContext } from '@guichet/core';
import { count, sql } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { createPool } from './service/pools.js';
import { pools } from './tables.js';

/** The RPSL contacts of the demo operator (made-up handles: no RIPE database is written). */
export const DEMO_RPSL = {
  adminC: ['GDEM1-RIPE'],
  techC: ['GDEM1-RIPE'],
  mntBy: ['GUICHET-DEMO-MNT'],
  country: 'FR',
};

/** The demo's space: public research space, as RENATER (the model) holds it, never a bogon. */
export const DEMO_POOLS = [
  {
    name: 'Research network IPv6',
    prefix: '2001:660::/32',
    status: 'ALLOCATED-BY-RIR',
    purpose: 'member institutions: one /48 per site',
  },
  {
    name: 'Research network IPv4',
    prefix: '193.48.0.0/16',
    status: 'ALLOCATED PA',
    purpose: 'member institutions',
  },
] as const;

// Two hosts seeding at once (the api started twice on one database) make the pools once.
const DEMO_LOCK = 0x6775_6970;

/**
 * ipam's demo data: the operator's IPv6 /32 and IPv4 /16, with their RPSL contacts, so that an
 * institution's first prefix request is served at once (README, "first five minutes"). Made
 * only while no pool exists; `ctx` is the NOC (the demo administrator).
 */
export async function ipamDemo(env: Env, ctx: RequestContext): Promise<void> {
  await env.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${DEMO_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(pools);
    if (Number(existing?.n ?? 0) > 0) return;
    for (const p of DEMO_POOLS) await createPool(tx, ctx, { ...p, ...DEMO_RPSL });
  });
}
