import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ProxyConfig } from './generate.js';
import { runTool } from './run.js';

/**
 * Putting a generated configuration in front of the national proxy without ever exposing a bad
 * one. The proxy runs `freeradius -d <live>`, where `<live>` is a symbolic link Guichet owns,
 * pointing at one release directory under `<live>.releases/`. A release is a full copy of the
 * operator's template directory (radiusd.conf, sites, modules) with the generated proxy.conf and
 * clients.conf. Publication:
 * 1. stage: copy the template into a new release directory, write the two files;
 * 2. check: `freeradius -XC -d <release>` — refused (exit ≠ 0) → the release is deleted and the
 *    link is untouched: the running configuration stays;
 * 3. swap: a new link beside the old one, renamed over it (rename(2) is atomic: a restart reads
 *    the old release or the new one, never a mix);
 * 4. reload (the caller: FreeRADIUS 3 re-reads clients and realms only on restart), and roll
 *    back to the previous release if the restarted proxy does not answer;
 * 5. prune: keep the newest `keep` releases (and always the live one).
 */

export interface DeployTarget {
  /** The operator's base configuration directory (every release copies it). */
  template: string;
  /** The path the proxy is started with (`-d`): a symbolic link Guichet manages. */
  live: string;
  /** Releases kept for rollback (default 5). */
  keep?: number;
  /** The FreeRADIUS binary (`freeradius` on Debian). */
  binary?: string;
}

export interface CheckResult {
  ok: boolean;
  /** The `file[line]: message` lines of a refusal, or the last lines of the output. */
  errors: string[];
  ms: number;
}

const RELEASE_FILE = 'guichet-release.json';

export function configHash(c: ProxyConfig): string {
  return createHash('sha256').update(c.proxyConf).update('\0').update(c.clientsConf).digest('hex');
}

/** `freeradius -XC -d dir`: exit 0 and "Configuration appears to be OK", or the errors it printed. */
export async function checkRaddb(
  dir: string,
  binary = 'freeradius',
  timeoutMs = 30_000,
): Promise<CheckResult> {
  const t0 = performance.now();
  const r = await runTool(binary, ['-XC', '-d', dir], { timeoutMs });
  const out = `${r.stdout}\n${r.stderr}`;
  const ok = r.code === 0 && /Configuration appears to be OK/.test(out);
  const lines = out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const located = lines.filter((l) => /\[\d+\]:|^Errors? /i.test(l) || /error/i.test(l));
  return {
    ok,
    errors: ok ? [] : (located.length ? located : lines).slice(-20),
    ms: Math.round(performance.now() - t0),
  };
}

const releasesDir = (t: DeployTarget) => `${resolve(t.live)}.releases`;

/** The release the live link points at, and its hash (null before the first publication). */
export function liveRelease(t: DeployTarget): { dir: string; hash: string } | null {
  if (!existsSync(t.live)) return null;
  let dir: string;
  try {
    dir = resolve(dirname(resolve(t.live)), readlinkSync(t.live));
  } catch {
    return null;
  }
  try {
    const meta = JSON.parse(readFileSync(join(dir, RELEASE_FILE), 'utf8')) as { hash?: string };
    return { dir, hash: String(meta.hash ?? '') };
  } catch {
    return { dir, hash: '' };
  }
}

/** Writes a release directory and checks it; a refused one is removed before returning. */
export async function stageRelease(
  t: DeployTarget,
  config: ProxyConfig,
  now: Date,
): Promise<{ dir: string; hash: string; check: CheckResult }> {
  const hash = configHash(config);
  const root = releasesDir(t);
  mkdirSync(root, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const dir = join(root, `r${stamp}-${hash.slice(0, 12)}-${randomBytes(3).toString('hex')}`);
  // Symlinks inside the template (mods-enabled → ../mods-available) stay relative: they keep
  // pointing inside the copy.
  cpSync(t.template, dir, { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(dir, 'proxy.conf'), config.proxyConf, { mode: 0o640 });
  writeFileSync(join(dir, 'clients.conf'), config.clientsConf, { mode: 0o640 });
  writeFileSync(join(dir, RELEASE_FILE), `${JSON.stringify({ hash, generatedAt: now.toISOString() })}\n`);
  const check = await checkRaddb(dir, t.binary);
  if (!check.ok) rmSync(dir, { recursive: true, force: true });
  return { dir, hash, check };
}

/** Points the live link at `dir` atomically; returns the release it pointed at before. */
export function swapLive(t: DeployTarget, dir: string): string | null {
  const before = liveRelease(t)?.dir ?? null;
  const live = resolve(t.live);
  const tmp = `${live}.next-${randomBytes(4).toString('hex')}`;
  symlinkSync(dir, tmp);
  renameSync(tmp, live);
  return before;
}

/** Removes all but the newest `keep` releases, never the live one. */
export function pruneReleases(t: DeployTarget): void {
  const root = releasesDir(t);
  if (!existsSync(root)) return;
  const live = liveRelease(t)?.dir;
  const all = readdirSync(root)
    .filter((n) => n.startsWith('r'))
    .sort()
    .reverse();
  for (const name of all.slice(t.keep ?? 5)) {
    const dir = join(root, name);
    if (dir !== live && basename(dir) !== basename(live ?? '')) rmSync(dir, { recursive: true, force: true });
  }
}
