import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client.js';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './lock.js';

const root = mkdtempSync(join(tmpdir(), 'guichet-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => join(root, name);

describe('one process per embedded data directory', () => {
  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))(
    'refuses a second open while the first is open, and allows it after close',
    async () => {
      const first = await openDatabase({ dataDir: dir('db') });
      const second = await openDatabase({ dataDir: dir('db') }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(DataDirInUseError);
      expect(String(second)).toMatch(/open in process \d+ \(this one\)/);
      await first.close();
      expect(existsSync(join(dir('db'), LOCK_FILE))).toBe(false);
      const again = await openDatabase({ dataDir: dir('db') });
      expect(await again.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
      await again.close();
    },
  );

  it('refuses a directory held by another live process', () => {
    const d = dir('other');
    mkdirp(d);
    // PID 1 is alive on every machine (and not ours).
    writeFileSync(join(d, LOCK_FILE), '1\n');
    expect(() => lockDataDir(d)).toThrow(/open in process 1:/);
  });

  it('takes over a file left by a process that is gone', () => {
    const d = dir('stale');
    mkdirp(d);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(d, LOCK_FILE), `${gone.stdout}\n`);
    const release = lockDataDir(d);
    expect(readFileSync(join(d, LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
  });

  it('takes over a file whose pid now belongs to a later process (start time differs)', () => {
    const d = dir('reused');
    mkdirp(d);
    writeFileSync(join(d, LOCK_FILE), `${process.pid} 1\n`);
    const release = lockDataDir(d);
    release();
  });
});

function mkdirp(d: string) {
  mkdirSync(d, { recursive: true });
}
