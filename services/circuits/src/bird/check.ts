import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';

/**
 * `bird -p -c FILE`: BIRD's own parser on a generated configuration, no daemon, no root (exit 0
 * and silence when it parses; else `bird: FILE:LINE:COL message` and exit 1, first error only).
 * Runs an external program: never call it while a transaction holds a lock.
 */

export interface BirdCheck {
  ok: boolean;
  errors: string[];
}

export async function birdParse(text: string, bird = 'bird'): Promise<BirdCheck> {
  const dir = await mkdtemp(join(tmpdir(), 'guichet-circuits-bird-'));
  const file = join(dir, 'pe.conf');
  try {
    await writeFile(file, text);
    const r = await runTool(bird, ['-p', '-c', file], { timeoutMs: 60_000 });
    const errors = `${r.stderr}\n${r.stdout}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => l.replace(/^bird: /, '').replace(`${file}:`, 'line '));
    if (r.code !== 0 && errors.length === 0) errors.push(`bird exited with ${r.code} and said nothing`);
    return { ok: r.code === 0 && errors.length === 0, errors };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
