import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ZoneCheck {
  ok: boolean;
  /** named-checkzone's output (errors, or "loaded serial N"). */
  output: string;
}

/**
 * Validates a zone text with BIND's `named-checkzone` (spawned without a shell, the zone
 * written to a private temporary directory). `-i local` checks in-zone glue and integrity
 * without resolving out-of-zone names, which a publication host may not be able to do.
 */
export async function checkZoneText(zone: string, text: string, bin = 'named-checkzone'): Promise<ZoneCheck> {
  const dir = await mkdtemp(join(tmpdir(), 'rdns-zone-'));
  try {
    const file = join(dir, 'zone');
    await writeFile(file, text, { mode: 0o600 });
    return await new Promise<ZoneCheck>((resolve, reject) => {
      execFile(bin, ['-i', 'local', '-k', 'fail', '-n', 'fail', zone, file], (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ ok: !err, output });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
