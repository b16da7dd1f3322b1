import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';

export interface ZoneCheck {
  ok: boolean;
  /** named-checkzone's output (errors, or "loaded serial N"). */
  output: string;
}

/**
 * Validates a zone text with BIND's `named-checkzone` (spawned without a shell, the zone
 * written to a private temporary directory). `-i local` checks in-zone glue and integrity
 * without resolving out-of-zone names, which a publication host may not be able to do.
 * A tool: never call it while a transaction holds a lock.
 */
export async function checkZoneText(zone: string, text: string, bin = 'named-checkzone'): Promise<ZoneCheck> {
  const dir = await mkdtemp(join(tmpdir(), 'guichet-zone-'));
  try {
    const file = join(dir, 'zone');
    await writeFile(file, text, { mode: 0o600 });
    const r = await runTool(bin, ['-i', 'local', '-k', 'fail', '-n', 'fail', zone, file], {
      timeoutMs: 60_000,
    });
    return { ok: r.code === 0 && !r.timedOut, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
