import { rmSync } from 'node:fs';
import type { RequestContext } from '@guichet/core';
import { and, asc, type Db, type DbOrTx, desc, eq, inArray, one, sql } from '@guichet/db';
import { agreementVersions, institutions } from '@guichet/membership';
import type { EduroamRuntime } from '../config.js';
import { RadiusClient } from '../radius/client.js';
import { configHash, liveRelease, pruneReleases, stageRelease, swapLive } from '../radius/deploy.js';
import { type ProxyInstitution, type ProxyModel, renderProxyConfig } from '../radius/generate.js';
import { proxyState, publications, realms, secrets, servers } from '../tables.js';
import { openServerSecret } from './servers.js';

/**
 * The national proxy's configuration, from the database to the running FreeRADIUS. Rendering is
 * cheap (milliseconds for hundreds of institutions) so every publication renders from what the
 * database holds now and compares hashes: no generation counter to keep right. A publication:
 * render → stage and `freeradius -XC` (no transaction open) → under the proxy state row lock,
 * render again and swap only if nothing changed meanwhile (else try again: the change that moved
 * it queued its own publication too) → restart → check the proxy answers, roll back if not.
 */

export type PublicationRow = typeof publications.$inferSelect;

/** What the proxy routes: active realms and live servers of institutions with eduroam open. */
export async function proxyModel(db: DbOrTx, rt: EduroamRuntime): Promise<ProxyModel> {
  const open = db
    .select({ id: agreementVersions.institutionId })
    .from(agreementVersions)
    .where(and(eq(agreementVersions.status, 'active'), sql`'eduroam' = ANY(${agreementVersions.services})`));
  const insts = await db
    .select({ id: institutions.id, shortName: institutions.shortName })
    .from(institutions)
    .where(and(eq(institutions.status, 'active'), inArray(institutions.id, open)));
  const ids = insts.map((i) => i.id);
  const byId = new Map<
    string,
    ProxyInstitution & {
      realms: { realm: string; subrealms: boolean }[];
      servers: ProxyInstitution['servers'][number][];
    }
  >(insts.map((i) => [i.id, { ...i, realms: [], servers: [] }]));
  if (ids.length) {
    const rs = await db
      .select({ institutionId: realms.institutionId, realm: realms.realm, subrealms: realms.subrealms })
      .from(realms)
      .where(and(eq(realms.state, 'active'), inArray(realms.institutionId, ids)))
      .orderBy(asc(realms.realm));
    for (const r of rs) byId.get(r.institutionId)?.realms.push({ realm: r.realm, subrealms: r.subrealms });
    const ss = await db
      .select({
        id: servers.id,
        institutionId: servers.institutionId,
        name: servers.name,
        address: sql<string>`host(${servers.address})`,
        port: servers.port,
        transport: servers.transport,
        secretId: secrets.id,
        sealed: secrets.sealed,
      })
      .from(servers)
      .innerJoin(secrets, and(eq(secrets.serverId, servers.id), eq(secrets.status, 'current')))
      .where(and(eq(servers.state, 'active'), inArray(servers.institutionId, ids)));
    for (const s of ss) {
      byId.get(s.institutionId)?.servers.push({
        id: s.id,
        name: s.name,
        address: s.address,
        port: s.port,
        transport: s.transport as 'udp' | 'tls',
        secret: openServerSecret(rt.secrets, { id: s.secretId, sealed: s.sealed }),
      });
    }
  }
  const c = rt.config;
  return {
    institutions: [...byId.values()],
    tld: c.EDUROAM_COUNTRY.toLowerCase(),
    ...(c.EDUROAM_PROBE_SOURCE && c.EDUROAM_MONITOR_SECRET
      ? { monitor: { address: c.EDUROAM_PROBE_SOURCE, secret: c.EDUROAM_MONITOR_SECRET } }
      : {}),
    ...(c.EDUROAM_UPSTREAM?.length && c.EDUROAM_UPSTREAM_SECRET
      ? {
          upstream: c.EDUROAM_UPSTREAM.map((u) => {
            const i = u.lastIndexOf(':');
            return {
              address: u.slice(0, i).replace(/^\[|\]$/g, ''),
              port: Number(u.slice(i + 1)),
              secret: c.EDUROAM_UPSTREAM_SECRET as string,
            };
          }),
        }
      : {}),
  };
}

export type PublishOutcome =
  | { status: 'not-configured'; hash: null }
  | { status: 'unchanged'; hash: string }
  | { status: PublicationRow['status']; hash: string; publication: PublicationRow };

const counts = (m: ProxyModel) => ({
  institutions: m.institutions.length,
  servers: m.institutions.reduce((n, i) => n + i.servers.length, 0),
  realms: m.institutions.reduce((n, i) => n + i.realms.length, 0),
});

async function record(
  db: DbOrTx,
  ctx: RequestContext,
  row: Omit<typeof publications.$inferInsert, 'at' | 'requestId'>,
) {
  return one(
    await db
      .insert(publications)
      .values({ ...row, at: ctx.clock.now(), requestId: ctx.requestId })
      .returning(),
  );
}

/** Whether the proxy answers Status-Server on its auth port (Guichet's own client entry). */
export async function proxyAnswers(rt: EduroamRuntime): Promise<boolean> {
  const c = rt.config;
  if (!c.EDUROAM_PROXY_CHECK || !c.EDUROAM_MONITOR_SECRET) return true;
  const client = new RadiusClient(c.EDUROAM_PROBE_SOURCE ? { bind4: c.EDUROAM_PROBE_SOURCE } : {});
  try {
    for (let i = 0; i < 20; i++) {
      try {
        await client.exchange({
          ...c.EDUROAM_PROXY_CHECK,
          host: c.EDUROAM_PROXY_CHECK.address,
          secret: c.EDUROAM_MONITOR_SECRET,
          code: 'Status-Server',
          timeoutMs: 500,
          attempts: 1,
        });
        return true;
      } catch {
        // The restarted daemon may still be reading its configuration.
      }
    }
    return false;
  } finally {
    client.close();
  }
}

/** Publishes what the database holds to the national proxy, if it differs from what runs. */
export async function publishProxy(db: Db, rt: EduroamRuntime, ctx: RequestContext): Promise<PublishOutcome> {
  const target = rt.deploy;
  // Nowhere to deploy (EDUROAM_RADDB_DIR unset): nothing is rendered, nothing is opened.
  if (!target) return { status: 'not-configured', hash: null };
  for (let attempt = 1; ; attempt++) {
    const model = await proxyModel(db, rt);
    const config = renderProxyConfig(model);
    const hash = configHash(config);
    const live = liveRelease(target);
    if (live?.hash === hash) return { status: 'unchanged', hash };
    const staged = await stageRelease(target, config, ctx.clock.now());
    if (!staged.check.ok) {
      const publication = await record(db, ctx, {
        hash,
        status: 'refused',
        errors: staged.check.errors,
        checkMs: staged.check.ms,
        ...counts(model),
      });
      return { status: 'refused', hash, publication };
    }
    const swapped = await db.transaction(async (tx) => {
      const [state] = await tx.select().from(proxyState).where(eq(proxyState.id, 1)).for('update');
      const now = configHash(renderProxyConfig(await proxyModel(tx, rt)));
      // Changed meanwhile: that change's own publication follows; this one renders again.
      if (now !== hash) return { stale: true as const };
      if (liveRelease(target)?.hash === hash) return { stale: false as const, unchanged: true as const };
      const previous = swapLive(target, staged.dir);
      await tx
        .update(proxyState)
        .set({ deployedHash: hash, deployedAt: ctx.clock.now(), release: staged.dir })
        .where(eq(proxyState.id, 1));
      const publication = await record(tx, ctx, {
        hash,
        status: 'deployed',
        release: staged.dir,
        checkMs: staged.check.ms,
        ...counts(model),
      });
      return { stale: false as const, unchanged: false as const, previous, publication, before: state };
    });
    if (swapped.stale || swapped.unchanged) {
      rmSync(staged.dir, { recursive: true, force: true });
      if (swapped.stale && attempt < 3) continue;
      return { status: 'unchanged', hash };
    }
    const ok = await restartAndCheck(rt);
    if (!ok && swapped.previous) {
      swapLive(target, swapped.previous);
      await restartAndCheck(rt);
      const publication = await db.transaction(async (tx) => {
        await tx
          .update(proxyState)
          .set({
            deployedHash: swapped.before?.deployedHash ?? null,
            deployedAt: ctx.clock.now(),
            release: swapped.previous,
          })
          .where(eq(proxyState.id, 1));
        return record(tx, ctx, {
          hash,
          status: 'rolled_back',
          release: staged.dir,
          errors: ['the proxy did not answer Status-Server after the restart: the previous release is back'],
          ...counts(model),
        });
      });
      return { status: 'rolled_back', hash, publication };
    }
    if (!ok) {
      const publication = await record(db, ctx, {
        hash,
        status: 'failed',
        release: staged.dir,
        errors: [
          'the proxy did not answer Status-Server after the restart, and there is no earlier release to go back to',
        ],
        ...counts(model),
      });
      return { status: 'failed', hash, publication };
    }
    pruneReleases(target);
    return { status: 'deployed', hash, publication: swapped.publication };
  }
}

async function restartAndCheck(rt: EduroamRuntime): Promise<boolean> {
  if (rt.reload) {
    try {
      await rt.reload();
    } catch {
      return false;
    }
  }
  return proxyAnswers(rt);
}

export async function listPublications(db: DbOrTx, limit: number): Promise<PublicationRow[]> {
  return db.select().from(publications).orderBy(desc(publications.id)).limit(limit);
}

export async function proxyStatus(db: DbOrTx) {
  const [state] = await db.select().from(proxyState).where(eq(proxyState.id, 1));
  return state ?? { id: 1, deployedHash: null, deployedAt: null, release: null };
}
