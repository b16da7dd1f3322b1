import type { RequestContext } from '@guichet/core';
import { and, eq } from '@guichet/db';
import { institutions } from '@guichet/membership';
import type { Env } from '@guichet/workflow';
import { charterOf } from './service/activation.js';
import { declareSite, listSites } from './service/sites.js';

/**
 * Demo data: a site on the main campus of every demo institution whose agreement opens eduroam,
 * so that `Institution.eduroam` and the export show something on a fresh embedded start.
 * Realms need a DNS proof and servers a real address: the README's walk-through adds them.
 * Idempotent (an institution that has a site already is left alone).
 */
const DEMO_POINTS = [
  { lon: 4.8357, lat: 45.764 },
  { lon: -1.6778, lat: 48.1173 },
  { lon: 5.3698, lat: 43.2965 },
  { lon: 7.7521, lat: 48.5734 },
];

export async function eduroamDemo(env: Env, ctx: RequestContext): Promise<void> {
  const db = env.database.db;
  const rows = await db
    .select()
    .from(institutions)
    .where(and(eq(institutions.status, 'active')));
  let i = 0;
  for (const inst of rows) {
    if (!(await charterOf(db, inst.id)) || (await listSites(db, inst.id)).length) continue;
    const point = DEMO_POINTS[i++ % DEMO_POINTS.length] ?? { lon: 2.35, lat: 48.85 };
    await declareSite(
      db,
      env.line('eduroam'),
      { ...ctx, actor: { kind: 'system', name: 'demo' } },
      {
        institutionId: inst.id,
        name: [
          { lang: 'en', data: `${inst.name}: main campus` },
          { lang: 'fr', data: `${inst.name} : campus principal` },
        ],
        street: [{ lang: 'en', data: 'Campus principal' }],
        city: [{ lang: 'en', data: inst.shortName }],
        coordinates: point,
        encryption: ['WPA2/AES', 'WPA3/AES'],
        tags: ['IPv6', 'port_restrict'],
        accessPoints: 25,
      },
    );
  }
}
