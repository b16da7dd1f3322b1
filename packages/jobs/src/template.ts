import { currentTemplate, openDatabase, templateDigest, writeTemplate } from '@guichet/db';
import PgBoss from 'pg-boss';
import { databaseAdapter } from './adapter.js';
import { BOSS_SCHEMA } from './state.js';

/**
 * Makes the embedded database's template (`pnpm build`, run by `pnpm install`; see
 * packages/db/src/template.ts) unless the one matching this checkout exists: initdb and every
 * migration in memory, pg-boss's schema installed as the runner's start would, then the dump.
 */
export async function buildTemplate(): Promise<{ file: string; built: boolean }> {
  const existing = currentTemplate();
  if (existing) return { file: existing, built: false };
  const digest = templateDigest();
  const database = await openDatabase({ template: false });
  try {
    if (!database.pglite) throw new Error('the template is an embedded database');
    const boss = new PgBoss({
      db: databaseAdapter(database, () => {}) as PgBoss.Db,
      schema: BOSS_SCHEMA,
      migrate: true,
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => {});
    await boss.start();
    await boss.stop({ graceful: false, close: false, wait: true });
    return { file: await writeTemplate(database.pglite, digest), built: true };
  } finally {
    await database.close();
  }
}
