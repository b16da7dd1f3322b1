import type { RequestContext } from '@guichet/core';
import type { Db } from '@guichet/db';
import type { Env } from '@guichet/workflow';
import { checkRspamdRelease, type RspamdSwap, rspamdRelease, stageAndSwapRspamd } from '../rspamd/deploy.js';
import type { TenantPolicy } from '../rspamd/render.js';
import { publications } from '../tables.js';
import { platformFiltering } from './filtering.js';

/**
 * Publication of the gateway's Rspamd settings and lists: every domain on the gateway gets one
 * settings block with its effective thresholds (global → institution → domain) and its
 * institution's lists; rendered, `rspamadm configtest`, swapped, then rspamd reloaded
 * (ANTISPAM_RSPAMD_RELOAD_COMMAND). Idempotent: the same inputs are the same release (not
 * rewritten, not logged again).
 */

export async function rspamdTenants(db: Db): Promise<TenantPolicy[]> {
  const rows = await platformFiltering(db);
  return rows.map((r, i) => ({
    // Settings ids are UCL keys: letters, digits, underscores; the index keeps them unique.
    id: `${i}_${r.domain.replace(/[^a-z0-9]/g, '_')}`,
    domains: [r.domain],
    thresholds: {
      addHeader: r.effective.addHeader,
      reject: r.effective.reject,
      rewriteSubject: r.effective.rewriteSubject,
    },
    tagSubject: r.effective.tagSubject,
    allow: r.allow,
    deny: r.deny,
  }));
}

export async function publishRspamd(
  env: Env,
  ctx: RequestContext,
): Promise<RspamdSwap & { hash: string; domains: number }> {
  const db = env.database.db;
  const rt = env.line('antispam');
  const release = rspamdRelease(await rspamdTenants(db));
  const dir = rt.config.ANTISPAM_RSPAMD_DIR;
  const out = dir ? await stageAndSwapRspamd(dir, release) : await checkRspamdRelease(release);
  if (out.status !== 'unchanged')
    await db.insert(publications).values({
      at: ctx.clock.now(),
      hash: release.hash,
      status: out.status,
      errors: out.errors,
      domains: release.tenants,
      checkMs: out.checkMs,
      target: 'rspamd',
    });
  // Also when unchanged: a retry after a failed reload finds the release already current, and
  // must still tell rspamd. A reload is only asked for after a change, and SIGHUP is idempotent.
  if ((out.status === 'deployed' || out.status === 'unchanged') && dir && rt.reloadRspamd)
    await rt.reloadRspamd();
  return { ...out, hash: release.hash, domains: release.tenants };
}
