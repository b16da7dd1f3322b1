import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToolOk } from '@guichet/core';

export interface KnotTarget {
  /** The zone file knotd loads for the zone (its `file:` setting). */
  zoneFile: string;
  /** knot.conf, for `knotc -c` (its control socket is read from it). */
  conf: string;
  knotc?: string;
}

/** Puts a zone text (validated by named-checkzone) on an authoritative server. */
export type Publisher = (zone: string, text: string) => Promise<void>;

/**
 * Pushes a zone text (already validated by named-checkzone) into a running Knot: the file is
 * replaced atomically (written beside under a unique name, then renamed, so knotd never reads
 * half a zone), then `knotc -b zone-reload` waits until the new version is served.
 */
export async function publishToKnot(target: KnotTarget, zone: string, text: string): Promise<void> {
  const tmp = `${target.zoneFile}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
    await rename(tmp, target.zoneFile);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const name = zone.endsWith('.') ? zone : `${zone}.`;
  await runToolOk(target.knotc ?? 'knotc', ['-c', target.conf, '-b', 'zone-reload', name], {
    timeoutMs: 60_000,
  });
}

/**
 * A Publisher for a Knot that loads `<zoneDir>/<zone>.zone` and is controlled through `conf`
 * (its control socket).
 */
export function knotPublisher(opts: { conf: string; zoneDir: string; knotc?: string }): Publisher {
  return (zone, text) =>
    publishToKnot(
      {
        zoneFile: join(opts.zoneDir, `${zone}.zone`),
        conf: opts.conf,
        ...(opts.knotc ? { knotc: opts.knotc } : {}),
      },
      zone,
      text,
    );
}
