import { createHash, randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext, runTool } from '@guichet/core';
import { and, asc, type Db, type DbOrTx, desc, eq, inArray, sql, type Tx } from '@guichet/db';
import { institutions } from '@guichet/membership';
import { type CollectorConfigInput, checkBirdConfig, renderCollectorConfig } from '../bird/index.js';
import type { RoutingLimits } from '../rules.js';
import { announcements, collectors, configs, routedInstitutions, sessions } from '../tables.js';
import { one } from './collectors.js';

export type ConfigRow = typeof configs.$inferSelect;

/** The generator's input for one collector, from the current state (sorted by the generator). */
export async function collectorInput(db: DbOrTx, collectorId: string): Promise<CollectorConfigInput> {
  const [c] = await db.select().from(collectors).where(eq(collectors.id, collectorId));
  if (!c) throw new Error(`collector ${collectorId} vanished`);
  const ss = await db
    .select()
    .from(sessions)
    .where(eq(sessions.collectorId, collectorId))
    .orderBy(asc(sessions.name));
  const routed = await db
    .select({
      sessionId: routedInstitutions.sessionId,
      institutionId: routedInstitutions.institutionId,
      originAs: routedInstitutions.originAs,
      shortName: institutions.shortName,
    })
    .from(routedInstitutions)
    .innerJoin(institutions, eq(institutions.id, routedInstitutions.institutionId))
    .where(eq(routedInstitutions.collectorId, collectorId));
  const ids = routed.map((r) => r.institutionId);
  const prefixes =
    ids.length === 0
      ? []
      : await db
          .select({ institutionId: announcements.institutionId, prefix: announcements.prefix })
          .from(announcements)
          .where(inArray(announcements.institutionId, ids));
  return {
    // Rejected routes stay visible at the collector (`show route filtered`): the NOC sees why.
    collector: { name: c.name, routerId: c.routerId.replace(/\/32$/, ''), asn: c.asn, keepFiltered: true },
    sessions: ss.map((s) => ({
      name: s.name,
      peerAddress: s.peerAddress.replace(/\/(32|128)$/, ''),
      peerAsn: s.peerAsn,
      importLimit: s.importLimit,
      ...(s.localAddress ? { localAddress: s.localAddress.replace(/\/(32|128)$/, '') } : {}),
      ...(s.localPort ? { localPort: s.localPort } : {}),
      ...(s.peerPort ? { peerPort: s.peerPort } : {}),
      ...(s.multihop ? { multihop: true } : {}),
      institutions: routed
        .filter((r) => r.sessionId === s.id)
        .map((r) => ({
          shortName: r.shortName,
          originAs: r.originAs,
          prefixes: prefixes
            .filter((p) => p.institutionId === r.institutionId)
            .map((p) => ({ prefix: p.prefix })),
        })),
    })),
  };
}

/** Marks collectors as needing a new configuration version (in the caller's transaction). */
export async function markCollectorsDirty(tx: Tx, collectorIds: readonly string[]): Promise<void> {
  const ids = [...new Set(collectorIds)];
  if (ids.length > 0)
    await tx.update(collectors).set({ needsRender: true }).where(inArray(collectors.id, ids));
}

export interface CollectorVersion {
  collectorId: string;
  version: number;
  hash: string;
  rejected: number;
  /** True when this call stored the version (false: the latest already had this text). */
  created: boolean;
}

/**
 * Stores the collector's next configuration version when its text differs from the latest:
 * rendered from the committed state and checked by `bird -p` OUTSIDE any transaction (no
 * external program while a lock is held), then stored under the collector's row lock only if
 * the state did not move meanwhile (else it renders again). A text BIRD refuses is stored as
 * refused (`birdCheck.ok = false`) and throws: it is never deployed, and the collector keeps
 * running its last good configuration.
 */
export async function renderCollectorVersion(
  db: Db,
  ctx: RequestContext,
  limits: RoutingLimits,
  collectorId: string,
  requestId: string | null,
): Promise<CollectorVersion> {
  const options = { maxLengthV4: limits.maxV4, maxLengthV6: limits.maxV6 };
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = renderCollectorConfig(await collectorInput(db, collectorId), options);
    const latest = await latestConfig(db, collectorId);
    const hash = createHash('sha256').update(candidate.text).digest('hex');
    if (latest?.hash === hash && latest.birdOk) {
      await db.update(collectors).set({ needsRender: false }).where(eq(collectors.id, collectorId));
      return { collectorId, version: latest.version, hash, rejected: latest.rejected.length, created: false };
    }
    const verdict = await checkBirdConfig(candidate.text);
    const stored = await db.transaction(async (tx) => {
      const [c] = await tx.select().from(collectors).where(eq(collectors.id, collectorId)).for('update');
      if (!c) throw new Error(`collector ${collectorId} vanished`);
      const again = renderCollectorConfig(await collectorInput(tx, collectorId), options);
      if (again.text !== candidate.text) return null; // the state moved: check the new text
      const [last] = await tx
        .select({ v: sql<number>`coalesce(max(${configs.version}), 0)::int` })
        .from(configs)
        .where(eq(configs.collectorId, collectorId));
      const row = one(
        await tx
          .insert(configs)
          .values({
            collectorId,
            version: Number(last?.v ?? 0) + 1,
            text: candidate.text,
            hash,
            birdOk: verdict.ok,
            birdErrors: verdict.errors.map((e) => `${e.line}:${e.column} ${e.message}`),
            rejected: candidate.rejected.map((r) => `${r.prefix}: ${r.reason}`),
            requestId,
            createdAt: ctx.clock.now(),
          })
          .returning({ id: configs.id, version: configs.version }),
      );
      if (verdict.ok)
        await tx.update(collectors).set({ needsRender: false }).where(eq(collectors.id, collectorId));
      await recordChange(tx, ctx, {
        action: 'routing.generateConfig',
        objectType: 'Collector',
        objectId: collectorId,
        after: { version: row.version, hash, rejected: candidate.rejected.length, birdOk: verdict.ok },
      });
      return { name: c.name, version: row.version };
    });
    if (!stored) continue;
    if (!verdict.ok) {
      const e = verdict.errors[0];
      throw new PolicyRefusalError(
        'bird-check',
        `collector ${stored.name}: bird -p refused the generated configuration version ${stored.version} (${e ? `${e.line}:${e.column} ${e.message}` : 'no message'}); it is not deployed`,
      );
    }
    return { collectorId, version: stored.version, hash, rejected: candidate.rejected.length, created: true };
  }
  throw new Error(`collector ${collectorId}: its routing kept changing while a configuration was rendered`);
}

export interface Deployment {
  collectorId: string;
  version: number | null;
  status: 'deployed' | 'failed' | 'not-deployed' | 'unchanged';
  output?: string;
}

/**
 * Puts the latest BIRD-valid version on the collector's BIRD: the file it loads is replaced
 * atomically (written beside, then renamed), then `birdc configure` reloads it — a soft
 * reconfiguration, sessions stay up. The verdict is recorded on the version. A collector
 * without a deployment target records `not-deployed`: the NOC deploys that text itself.
 */
export async function deployCollector(db: Db, ctx: RequestContext, collectorId: string): Promise<Deployment> {
  const [c] = await db.select().from(collectors).where(eq(collectors.id, collectorId));
  if (!c) throw new Error(`collector ${collectorId} vanished`);
  const [latest] = await db
    .select()
    .from(configs)
    .where(and(eq(configs.collectorId, collectorId), eq(configs.birdOk, true)))
    .orderBy(desc(configs.version))
    .limit(1);
  if (!latest) return { collectorId, version: null, status: 'unchanged' };
  const record = async (status: 'deployed' | 'failed' | 'not-deployed', output: string) => {
    await db
      .update(configs)
      .set({
        deployStatus: status,
        deployOutput: output.slice(0, 4000),
        deployedAt: status === 'deployed' ? ctx.clock.now() : null,
      })
      .where(eq(configs.id, latest.id));
  };
  if (!c.birdConfigPath || !c.birdSocket) {
    if (!latest.deployStatus)
      await record('not-deployed', 'no deployment target: the NOC deploys this version');
    return { collectorId, version: latest.version, status: 'not-deployed' };
  }
  if (latest.deployStatus === 'deployed')
    return { collectorId, version: latest.version, status: 'unchanged' };
  const tmp = `${c.birdConfigPath}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, latest.text, { mode: 0o644 });
    await rename(tmp, c.birdConfigPath);
  } catch (e) {
    await rm(tmp, { force: true });
    await record('failed', `writing ${c.birdConfigPath}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  const r = await runTool('birdc', ['-s', c.birdSocket, 'configure'], { timeoutMs: 30_000 });
  const output = `${r.stdout}${r.stderr}`.trim();
  // BIRD answers "Reconfigured" (or "Reconfiguration in progress" while sessions settle).
  if (r.code === 0 && /Reconfigur(ed|ation in progress)/.test(output)) {
    await record('deployed', output);
    await recordChange(db, ctx, {
      action: 'routing.deployConfig',
      objectType: 'Collector',
      objectId: collectorId,
      after: { version: latest.version, output },
    });
    return { collectorId, version: latest.version, status: 'deployed', output };
  }
  await record('failed', output || `birdc exited with ${r.code ?? r.signal}`);
  throw new Error(`collector ${c.name}: birdc configure refused version ${latest.version}: ${output}`);
}

/** Renders (when needed) and deploys one collector's configuration. */
export async function syncCollector(
  db: Db,
  ctx: RequestContext,
  limits: RoutingLimits,
  collectorId: string,
  requestId: string | null,
): Promise<CollectorVersion & { deployment: Deployment['status'] }> {
  const v = await renderCollectorVersion(db, ctx, limits, collectorId, requestId);
  const d = await deployCollector(db, ctx, collectorId);
  return { ...v, deployment: d.status };
}

/** Every collector whose state changed (or whose latest version is not deployed yet). */
export async function syncCollectors(db: Db, ctx: RequestContext, limits: RoutingLimits) {
  const due = await db
    .select({ id: collectors.id })
    .from(collectors)
    .where(
      sql`${collectors.needsRender} OR (${collectors.birdSocket} IS NOT NULL AND EXISTS (
        SELECT 1 FROM ${configs} v WHERE v.collector_id = ${collectors.id} AND v.bird_ok
          AND v.version = (SELECT max(w.version) FROM ${configs} w WHERE w.collector_id = ${collectors.id} AND w.bird_ok)
          AND v.deploy_status IS DISTINCT FROM 'deployed'))`,
    );
  const out = [];
  for (const c of due) out.push(await syncCollector(db, ctx, limits, c.id, null));
  return out;
}

export async function latestConfig(db: DbOrTx, collectorId: string): Promise<ConfigRow | undefined> {
  const [row] = await db
    .select()
    .from(configs)
    .where(eq(configs.collectorId, collectorId))
    .orderBy(desc(configs.version))
    .limit(1);
  return row;
}
