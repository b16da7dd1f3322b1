import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is PostgreSQL in one process: two processes opening one data directory would both
 * write its files and corrupt it (a second `pnpm start` did exactly that, silently). The first
 * to open a directory writes this file (O_EXCL), the others are refused until it closes. A file
 * left by a process that died is taken over: the process is gone, or it is another one that got
 * the same pid later (its start time differs).
 */
export const LOCK_FILE = 'guichet.pid';

/** Start time of a process (clock ticks since boot, /proc/<pid>/stat field 22); "" off Linux. */
function startTime(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function holder(text: string): { pid: number; started: string } | undefined {
  const [pid, started = ''] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  try {
    process.kill(n, 0);
  } catch (e) {
    // EPERM: it exists, as another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  if (started && startTime(n) && startTime(n) !== started) return undefined;
  return { pid: n, started };
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** Takes the directory for this process; returns the release. Throws DataDirInUseError. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  const mine = `${process.pid} ${startTime(process.pid)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return () => {
        // Only our own file: never remove one a later process wrote after taking over.
        try {
          if (readFileSync(file, 'utf8') === mine) rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const h = holder(text);
    if (h) {
      throw new DataDirInUseError(
        `the embedded database in ${dir} is open in process ${h.pid}` +
          `${h.pid === process.pid ? ' (this one)' : ''}: one process per embedded database ` +
          '(stop it first, or run several processes on PostgreSQL with DATABASE_URL)',
      );
    }
    rmSync(file, { force: true }); // left by a process that is gone
  }
  throw new DataDirInUseError(`could not lock ${dir}: another process keeps taking it`);
}
