import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@guichet/db';
import type { TestProject } from 'vitest/node';

/** Migrates one embedded database once per run and hands its tarball to every test file. */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteSnapshot', '');
    return undefined;
  }
  const database = await openDatabase({});
  const dump = await database.pglite!.dumpDataDir('none');
  await database.close();
  const dir = join(tmpdir(), `guichet-vitest-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'snapshot.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteSnapshot', file);
  // The tarball is ~40 MB: remove it when the run ends.
  return () => rmSync(dir, { recursive: true, force: true });
}
