import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  type RequestContext,
} from '@guichet/core';
import { and, eq, inArray } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { judgeMx, type MxCheck } from '../model.js';
import { domains } from '../tables.js';
import { domainResource } from './onboarding.js';

/**
 * The MX cut-over of each antispam domain, a state machine held by conditional UPDATEs (a
 * transition names the state it leaves, so two pollers cannot both make it):
 * configured → test-passed (the NOC saw a test message through the gateway) → active (every MX,
 * as each authoritative server serves it, is one of ANTISPAM_MX_HOSTS). An MX that is not the
 * gateway's — typically a backup MX left at the institution, which spammers use to bypass the
 * filter — is flagged in `mx.bypass` and keeps the domain from becoming active; an active domain
 * that grows one stays active and flagged (its mail still mostly reaches the gateway).
 */

type DomainRow = typeof domains.$inferSelect;

/** The NOC records that a test message went through the gateway to the institution. */
export async function recordTestMessage(env: Env, ctx: RequestContext, domainId: string): Promise<DomainRow> {
  if (!(canWrite(ctx.actor) && hasStaffRole(ctx.actor, 'noc')))
    throw new ForbiddenError('Only the NOC records the test message of a cut-over');
  if (!isUuid(domainId)) throw new NotFoundError('AntispamDomain', domainId);
  return env.database.db.transaction(async (tx) => {
    const [d] = await tx
      .update(domains)
      .set({ state: 'test-passed', updatedAt: ctx.clock.now() })
      .where(and(eq(domains.id, domainId), eq(domains.state, 'configured')))
      .returning();
    if (!d) {
      const [found] = await tx.select().from(domains).where(eq(domains.id, domainId));
      if (!found) throw new NotFoundError('AntispamDomain', domainId);
      throw new ConflictError(`${found.domain} is ${found.state}, not configured on the gateway`);
    }
    await domainResource(tx, ctx, d, null);
    await recordChange(tx, ctx, {
      action: 'antispam.recordTestMessage',
      objectType: 'AntispamDomain',
      objectId: d.id,
      institutionId: d.institutionId,
      before: { state: 'configured' },
      after: { state: d.state },
    });
    return d;
  });
}

/** One poll of every domain waiting for (or past) its cut-over. A DNS failure is recorded, not thrown. */
export async function pollMx(
  env: Env,
  ctx: RequestContext,
): Promise<{ polled: number; activated: string[] }> {
  const rt = env.line('antispam');
  const db = env.database.db;
  const rows = await db
    .select()
    .from(domains)
    .where(inArray(domains.state, ['test-passed', 'active']));
  const activated: string[] = [];
  for (const d of rows) {
    let check: MxCheck;
    try {
      const a = await rt.mxDns.authoritativeMx(d.domain);
      check = judgeMx(a.servers, a.records, rt.config.ANTISPAM_MX_HOSTS);
    } catch (e) {
      check = { servers: [], records: [], allAtPlatform: false, bypass: [], error: (e as Error).message };
    }
    await db.transaction(async (tx) => {
      const now = ctx.clock.now();
      await tx.update(domains).set({ mx: check, mxCheckedAt: now }).where(eq(domains.id, d.id));
      if (d.state !== 'test-passed' || !check.allAtPlatform) return;
      const [up] = await tx
        .update(domains)
        .set({ state: 'active', updatedAt: now })
        .where(and(eq(domains.id, d.id), eq(domains.state, 'test-passed')))
        .returning();
      if (!up) return;
      activated.push(up.domain);
      await domainResource(tx, ctx, up, null);
      await recordChange(tx, ctx, {
        action: 'antispam.cutOver',
        objectType: 'AntispamDomain',
        objectId: up.id,
        institutionId: up.institutionId,
        before: { state: 'test-passed' },
        after: { state: 'active', mx: check },
      });
    });
  }
  return { polled: rows.length, activated };
}
