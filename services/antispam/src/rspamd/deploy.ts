import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentRelease, stagingDir, swapCurrent } from '../release.js';
import { rspamdConfigTest } from './check.js';
import { renderRspamd, type TenantPolicy } from './render.js';

/**
 * Atomic publication of the gateway's Rspamd settings and lists. A release is rendered into
 * `releases/<hash>/` (its multimaps name their map files inside that same immutable directory),
 * checked by `rspamadm configtest` with the gateway's local.d including the staged files, and
 * only then made current. The gateway's own local.d/settings.conf and local.d/multimap.conf
 * hold one line each, `.include "<ANTISPAM_RSPAMD_DIR>/current/settings.conf"` (and
 * multimap.conf): `gatewayIncludes` writes them. A refused release is deleted, `current` and the
 * running rspamd are left as they were.
 */

export interface RspamdRelease {
  hash: string;
  /** Release-relative file name → content, for the directory the release will live in. */
  files: (dir: string) => Record<string, string>;
  tenants: number;
}

export function rspamdRelease(tenants: readonly TenantPolicy[]): RspamdRelease {
  // The hash names the inputs (the rendering embeds the release directory, which embeds the hash).
  const hash = createHash('sha256').update(JSON.stringify(tenants)).digest('hex').slice(0, 32);
  return {
    hash,
    tenants: tenants.length,
    files: (dir) => {
      const out: Record<string, string> = {};
      for (const [name, content] of Object.entries(renderRspamd(tenants, dir)))
        out[name.replace(/^local\.d\//, '')] = content;
      return out;
    },
  };
}

/** The gateway's local.d lines that load whatever release `dir` holds. */
export function gatewayIncludes(dir: string): Record<string, string> {
  return {
    'local.d/settings.conf': `.include "${dir}/settings.conf"\n`,
    'local.d/multimap.conf': `.include "${dir}/multimap.conf"\n`,
  };
}

function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

export interface RspamdSwap {
  status: 'deployed' | 'unchanged' | 'refused' | 'checked';
  errors: string[];
  checkMs: number;
}

/** Check only (no ANTISPAM_RSPAMD_DIR): rendered in a scratch directory, configtest, removed. */
export async function checkRspamdRelease(release: RspamdRelease, system?: string): Promise<RspamdSwap> {
  const scratch = mkdtempSync(join(tmpdir(), 'guichet-rspamd-release-'));
  try {
    writeFiles(scratch, release.files(scratch));
    const t0 = performance.now();
    const r = await rspamdConfigTest(gatewayIncludes(scratch), scratch, system);
    return {
      status: r.ok ? 'checked' : 'refused',
      errors: r.errors,
      checkMs: Math.round(performance.now() - t0),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Stages, checks and swaps (nothing is swapped unless rspamadm accepted the staged release). */
export async function stageAndSwapRspamd(
  base: string,
  release: RspamdRelease,
  system?: string,
): Promise<RspamdSwap> {
  if (currentRelease(base) === release.hash) return { status: 'unchanged', errors: [], checkMs: 0 };
  const dir = stagingDir(base, release.hash);
  writeFiles(dir, release.files(dir));
  const t0 = performance.now();
  const check = await rspamdConfigTest(gatewayIncludes(dir), dir, system);
  const checkMs = Math.round(performance.now() - t0);
  if (!check.ok) {
    rmSync(dir, { recursive: true, force: true });
    return { status: 'refused', errors: check.errors, checkMs };
  }
  swapCurrent(base, release.hash);
  return { status: 'deployed', errors: [], checkMs };
}
