import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';

/**
 * `bird -p -c FILE`: BIRD's own parser on a configuration, without a daemon or root. It stops
 * at the first error (reference circuits-routing.md §8), so `errors` holds at most one parse
 * error; anything BIRD prints that is not `bird: FILE:LINE:COL message` is reported at 0:0.
 */

export interface BirdCheckError {
  line: number;
  column: number;
  message: string;
}

export interface BirdCheckResult {
  ok: boolean;
  errors: BirdCheckError[];
}

const TIMEOUT_MS = 60_000;

export async function checkBirdConfig(text: string, birdPath = 'bird'): Promise<BirdCheckResult> {
  const dir = await mkdtemp(join(tmpdir(), 'guichet-bird-check-'));
  const file = join(dir, 'bird.conf');
  try {
    await writeFile(file, text);
    const { code, stderr, stdout, timedOut } = await runTool(birdPath, ['-p', '-c', file], {
      timeoutMs: TIMEOUT_MS,
    });
    const errors = parseErrors(`${stderr}\n${stdout}`, file);
    if (timedOut)
      errors.push({ line: 0, column: 0, message: `bird -p did not finish within ${TIMEOUT_MS} ms` });
    if (code !== 0 && errors.length === 0) {
      errors.push({ line: 0, column: 0, message: `bird exited with ${code} and said nothing` });
    }
    return { ok: code === 0 && errors.length === 0, errors };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `bird: /tmp/x/bird.conf:5:42 Invalid prefix pattern range: {48, 32}` → { 5, 42, message }. */
export function parseErrors(output: string, file: string): BirdCheckError[] {
  const errors: BirdCheckError[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const rest = line.startsWith('bird: ') ? line.slice(6) : line;
    const at = rest.startsWith(`${file}:`) ? rest.slice(file.length + 1) : undefined;
    const m = at === undefined ? null : /^(\d+):(\d+)\s+(.*)$/.exec(at);
    if (m) errors.push({ line: Number(m[1]), column: Number(m[2]), message: m[3] ?? '' });
    else errors.push({ line: 0, column: 0, message: rest });
  }
  return errors;
}
