import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client.js';
import {
  currentTemplate,
  LOADING_MARKER,
  migrationNames,
  templateDigest,
  writeTemplate,
} from './template.js';

// The template is PGlite's: on a server run there is nothing to start from a tarball.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('embedded template', () => {
  let root: string;
  let templates: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'guichet-template-'));
    templates = join(root, 'templates');
    const source = await openDatabase({ template: false });
    await source.exec('CREATE TABLE template_witness (x int)');
    await writeTemplate(source.pglite!, templateDigest(), templates);
    await source.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function appliedMigrations(dataDir: string) {
    const database = await openDatabase({ dataDir, template: templates });
    try {
      const witness = await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'template_witness'`,
      );
      const applied = await database.query<{ name: string }>(
        'SELECT name FROM drizzle.__drizzle_migrations ORDER BY name',
      );
      return { fromTemplate: witness[0]!.n === 1, applied: applied.map((r) => r.name) };
    } finally {
      await database.close();
    }
  }

  it('starts an empty data directory from the template, every migration applied', async () => {
    const dataDir = join(root, 'empty');
    expect(await appliedMigrations(dataDir)).toEqual({ fromTemplate: true, applied: migrationNames() });
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, LOADING_MARKER))).toBe(false);
    // Restart: the data directory is opened as it is.
    expect(await appliedMigrations(dataDir)).toEqual({ fromTemplate: true, applied: migrationNames() });
  });

  it('starts over a data directory whose unpacking was interrupted', async () => {
    const dataDir = join(root, 'interrupted');
    mkdirSync(join(dataDir, 'base'), { recursive: true });
    writeFileSync(join(dataDir, LOADING_MARKER), '');
    writeFileSync(join(dataDir, 'PG_VERSION'), '18\n');
    writeFileSync(join(dataDir, 'base', 'half-written'), 'x');
    expect(await appliedMigrations(dataDir)).toEqual({ fromTemplate: true, applied: migrationNames() });
    expect(existsSync(join(dataDir, 'base', 'half-written'))).toBe(false);
  });

  it('uses only the template of the current digest', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'pglite-0123456789abcdef.tar'), '');
    expect(currentTemplate(other)).toBeUndefined();
    expect(currentTemplate(templates)).toBe(join(templates, `pglite-${templateDigest()}.tar`));
    expect(readdirSync(templates)).toEqual([`pglite-${templateDigest()}.tar`]);
  });
});
