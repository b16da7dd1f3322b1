import type { RequestContext } from '@guichet/core';
import { count, sql } from '@guichet/db';
import { DEMO_POOLS } from '@guichet/ipam';
import type { Env } from '@guichet/workflow';
import { createParentZone } from './service/parent-zones.js';
import { parentZones } from './tables.js';

const DEMO_LOCK = 0x6775_6973;

/**
 * rdns's demo data: the operator's parent zones over ipam's demo pools (the IPv6 /32's nibble
 * zone, the IPv4 /16's octet zone), so that a delegation request has a parent to go into
 * (README, "first five minutes"). Their server is 127.0.0.1: versions are rendered, checked and
 * stored, and pushed only when RDNS_KNOT_CONF/RDNS_ZONE_DIR name a Knot. Made only while no
 * parent zone exists; `ctx` is the NOC (the demo administrator).
 */
export async function rdnsDemo(env: Env, ctx: RequestContext): Promise<void> {
  await env.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${DEMO_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(parentZones);
    if (Number(existing?.n ?? 0) > 0) return;
    for (const pool of DEMO_POOLS) {
      await createParentZone(tx, ctx, {
        prefix: pool.prefix,
        serverAddress: '127.0.0.1',
        mname: 'ns1.guichet-demo.example',
        rname: 'hostmaster.guichet-demo.example',
        nameservers: ['ns1.guichet-demo.example', 'ns2.guichet-demo.example'],
      });
    }
  });
}
