import { PolicyRefusalError } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInstitution } from '../institutions/service.js';
import { contacts } from '../tables.js';
import { desk, member } from '../test/fixtures.js';
import { createContact } from './service.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * A contact created while the institution is being closed. On PostgreSQL the two really
 * overlap: the creation must wait for the closing and then be refused, not read "active"
 * before the closing commits and insert anyway. On PGlite (one connection) they queue.
 */
describe(`creating a contact while the institution closes (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('is refused once the closing commits, and leaves no contact behind', async () => {
    const m = await member(database.db);
    let creation: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await closeInstitution(tx, desk(), m.id);
      // Not awaited here: on PGlite it waits for this transaction, on PostgreSQL for its lock.
      creation = createContact(database.db, desk(), {
        institutionId: m.id,
        name: 'Late Comer',
        email: 'late.comer@example.fr',
        roles: ['technical'],
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await creation).toBeInstanceOf(PolicyRefusalError);
    const late = await database.db.select().from(contacts).where(eq(contacts.email, 'late.comer@example.fr'));
    expect(late).toEqual([]);
  });
});
