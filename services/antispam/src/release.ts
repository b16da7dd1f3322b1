import { mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Releases under `base/releases/<hash>` and the symbolic link `base/current`, shared by the
 * Postfix maps and the Rspamd settings: a release is made current by renaming a fresh link over
 * `current` (rename(2) is atomic: a reader sees the old release or the new one, never a mix).
 */

/** The release `current` points at (its hash is the directory name), or null. */
export function currentRelease(base: string): string | null {
  try {
    return readlinkSync(join(base, 'current')).split('/').pop() ?? null;
  } catch {
    return null;
  }
}

/** A fresh, empty staging directory for the release `hash`. */
export function stagingDir(base: string, hash: string): string {
  const releases = join(base, 'releases');
  mkdirSync(releases, { recursive: true, mode: 0o750 });
  const dir = join(releases, hash);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Points `current` at the release; keeps the two previous ones for a manual rollback. */
export function swapCurrent(base: string, hash: string): void {
  const releases = join(base, 'releases');
  const tmp = join(base, `.current-${process.pid}-${Date.now()}`);
  symlinkSync(join('releases', hash), tmp);
  renameSync(tmp, join(base, 'current'));
  const old = readdirSync(releases)
    .filter((n) => n !== hash)
    .map((n) => ({ n, t: statSync(join(releases, n)).mtimeMs }))
    .sort((x, y) => y.t - x.t);
  for (const { n } of old.slice(2)) rmSync(join(releases, n), { recursive: true, force: true });
}
