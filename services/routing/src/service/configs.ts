import { createHash } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext } from '@guichet/core';
import { asc, type DbOrTx, desc, eq, inArray, sql, type Tx } from '@guichet/db';
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

/**
 * Renders each collector's configuration from the current state, checks it with `bird -p`,
 * and stores it as the collector's next version. The collector row is locked first (versions
 * are numbered without gaps). A configuration BIRD refuses fails the step: it runs in the
 * transaction of the change, so nothing of the change is kept either, and the collector keeps
 * its last good configuration.
 */
export async function generateConfigs(
  tx: Tx,
  ctx: RequestContext,
  limits: RoutingLimits,
  collectorIds: readonly string[],
  requestId: string | null,
): Promise<{ collectorId: string; version: number; hash: string; rejected: number }[]> {
  const out = [];
  for (const id of [...new Set(collectorIds)].sort()) {
    const [c] = await tx.select().from(collectors).where(eq(collectors.id, id)).for('update');
    if (!c) continue;
    const rendered = renderCollectorConfig(await collectorInput(tx, id), {
      maxLengthV4: limits.maxV4,
      maxLengthV6: limits.maxV6,
    });
    const verdict = await checkBirdConfig(rendered.text);
    if (!verdict.ok) {
      const e = verdict.errors[0];
      throw new PolicyRefusalError(
        'bird-check',
        `collector ${c.name}: bird -p refused the generated configuration (${e ? `${e.line}:${e.column} ${e.message}` : 'no message'})`,
      );
    }
    const [last] = await tx
      .select({ v: sql<number>`coalesce(max(${configs.version}), 0)::int` })
      .from(configs)
      .where(eq(configs.collectorId, id));
    const hash = createHash('sha256').update(rendered.text).digest('hex');
    const row = one(
      await tx
        .insert(configs)
        .values({
          collectorId: id,
          version: Number(last?.v ?? 0) + 1,
          text: rendered.text,
          hash,
          birdOk: true,
          birdErrors: [],
          rejected: rendered.rejected.map((r) => `${r.prefix}: ${r.reason}`),
          requestId,
          createdAt: ctx.clock.now(),
        })
        .returning({ id: configs.id, version: configs.version }),
    );
    await recordChange(tx, ctx, {
      action: 'routing.generateConfig',
      objectType: 'Collector',
      objectId: id,
      after: { version: row.version, hash, rejected: rendered.rejected.length },
    });
    out.push({ collectorId: id, version: row.version, hash, rejected: rendered.rejected.length });
  }
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
