import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestContext } from '@guichet/core';
import { and, type Db, desc, eq, inArray, or } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { PUBLISH_JOB } from '../job-names.js';
import { ON_GATEWAY } from '../model.js';
import { checkRelease, stageAndSwap, writeRelease } from '../postfix/deploy.js';
import { type PlatformInstitution, renderMaps } from '../postfix/render.js';
import { domains, onboardings, publications } from '../tables.js';
import { markConfigured, openBindPassword } from './onboarding.js';

/**
 * Publication of the gateway's Postfix maps: every configured domain, plus (for an onboarding's
 * publish step) that onboarding's domains. Rendered, checked by `postfix check`, swapped in (or,
 * without ANTISPAM_POSTFIX_DIR, checked in a scratch directory and deployed nowhere). Only a
 * release that was accepted moves the onboarding's domains to `configured`; a refused one
 * changes nothing but the publications log.
 */

export type PublicationStatus = 'deployed' | 'unchanged' | 'refused' | 'checked';

export async function publishPlatform(
  env: Env,
  ctx: RequestContext,
  including?: string,
): Promise<{ status: PublicationStatus; hash: string; errors: string[]; domains: number }> {
  const db: Db = env.database.db;
  const rt = env.line('antispam');
  const rows = await db
    .select({ domain: domains.domain, onboarding: onboardings })
    .from(domains)
    .innerJoin(onboardings, eq(onboardings.id, domains.onboardingId))
    .where(
      or(
        inArray(domains.state, [...ON_GATEWAY]),
        including ? and(eq(domains.onboardingId, including), eq(domains.state, 'requested')) : undefined,
      ),
    );
  const byOnboarding = new Map<string, PlatformInstitution>();
  for (const r of rows) {
    let p = byOnboarding.get(r.onboarding.id);
    if (!p) {
      p = {
        mapId: r.onboarding.id,
        domains: [],
        directory: r.onboarding.directory,
        bindPassword: await openBindPassword(db, env, r.onboarding.bindSecretId),
        nextHops: r.onboarding.nextHops,
      };
      byOnboarding.set(r.onboarding.id, p);
    }
    p.domains.push(r.domain);
  }
  const maps = renderMaps([...byOnboarding.values()]);
  let status: PublicationStatus;
  let errors: string[] = [];
  let checkMs: number | null = null;
  if (rt.config.ANTISPAM_POSTFIX_DIR) {
    const swap = await stageAndSwap(rt.config.ANTISPAM_POSTFIX_DIR, maps);
    ({ status, errors } = swap);
    checkMs = swap.checkMs;
    if (swap.status === 'deployed' && rt.reload) await rt.reload();
  } else {
    const scratch = mkdtempSync(join(tmpdir(), 'guichet-antispam-render-'));
    try {
      const dir = join(scratch, 'release');
      writeRelease(dir, maps);
      const check = await checkRelease(dir, maps);
      status = check.ok ? 'checked' : 'refused';
      errors = check.errors;
      checkMs = check.ms;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  await db.transaction(async (tx) => {
    if (status !== 'unchanged')
      await tx
        .insert(publications)
        .values({ at: ctx.clock.now(), hash: maps.hash, status, errors, domains: maps.domains, checkMs });
    if (including && status !== 'refused') {
      await markConfigured(tx, ctx, including);
      // Two onboardings published at once each render without the other's domains: whichever
      // swaps last would drop the other's. A full republication after every mark (idempotent,
      // a no-op when the live release is current) makes the last one carry every configured domain.
      await env.jobs?.sendInTx(tx, PUBLISH_JOB, {}, { requestId: ctx.requestId });
    }
  });
  return { status, hash: maps.hash, errors, domains: maps.domains };
}

export const listPublications = (db: Db, limit = 20) =>
  db.select().from(publications).orderBy(desc(publications.at)).limit(limit);
