import { execFile } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';

export interface KnotTarget {
  /** The zone file knotd loads for the zone (its `file:` setting). */
  zoneFile: string;
  /** knot.conf, for `knotc -c` (its control socket is read from it). */
  conf: string;
  knotc?: string;
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')}: ${`${stdout}${stderr}`.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * Pushes a parent zone text (already validated by named-checkzone) into a running Knot: the
 * file is replaced atomically (write beside, then rename, so knotd never reads half a zone),
 * then `knotc -b zone-reload` waits until the new version is served.
 */
export async function publishToKnot(target: KnotTarget, zone: string, text: string): Promise<void> {
  const tmp = `${target.zoneFile}.${process.pid}.tmp`;
  await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
  await rename(tmp, target.zoneFile);
  const name = zone.endsWith('.') ? zone : `${zone}.`;
  await run(target.knotc ?? 'knotc', ['-c', target.conf, '-b', 'zone-reload', name]);
}
