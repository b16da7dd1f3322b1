import type { RequestContext } from '@guichet/core';
import { count, sql } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { createCollector, createSession } from './service/collectors.js';
import { collectors } from './tables.js';

/**
 * The demo's regional collectors, one per region of the demo institutions, each with one BGP
 * session towards its institutions. AS numbers are the documentation ones (RFC 5398), the
 * session addresses private link addresses: nothing here is announced to anyone.
 */
export const DEMO_COLLECTORS = [
  { name: 'AURA', region: 'Auvergne-Rhône-Alpes' },
  { name: 'IDF', region: 'Île-de-France' },
  { name: 'OCCITANIE', region: 'Occitanie' },
  { name: 'BRETAGNE', region: 'Bretagne' },
] as const;

const DEMO_LOCK = 0x6775_6972;

/**
 * routing's demo data: the collectors and their sessions, so that an institution's first
 * routing change has somewhere to go (README, "first five minutes"). Made only while no
 * collector exists; `ctx` is the NOC (the demo administrator).
 */
export async function routingDemo(env: Env, ctx: RequestContext): Promise<void> {
  await env.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${DEMO_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(collectors);
    if (Number(existing?.n ?? 0) > 0) return;
    for (const [i, c] of DEMO_COLLECTORS.entries()) {
      const n = i + 1;
      const row = await createCollector(tx, ctx, {
        name: c.name,
        region: c.region,
        asn: 64495 + n,
        routerId: `10.255.0.${n}`,
      });
      await createSession(tx, ctx, {
        collectorId: row.id,
        name: 'institutions',
        peerAddress: `10.${n}.0.2`,
        localAddress: `10.${n}.0.1`,
        peerAsn: 64500 + n,
        importLimit: 1000,
      });
    }
  });
}
