import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { institutions } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requests } from '../tables.js';
import { listRequests } from './queries.js';
import { fileRequest } from './service.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';
import { registerTestKinds } from './test/kinds.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const noc = staff('nadia', ['noc']);

describe(`filing and listing guards (${engine})`, () => {
  let database: Database;
  let a: InstitutionFixture;

  beforeAll(async () => {
    registerTestKinds();
    database = await freshDatabase();
    a = await seedInstitution(database, 'GAMMA');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('lists nothing for a malformed institution id instead of failing in the database', async () => {
    expect(await listRequests(database.db, as(noc), { institutionId: 'not-a-uuid', limit: 10 })).toEqual([]);
  });

  it('refuses a cursor the casts would refuse with a typed error', async () => {
    for (const after of [
      '2026-02-31T10:00:00.000Z_0b6f9a8e-3c1d-4e2f-9a7b-1c2d3e4f5a6b',
      '2026-01-01T10:00:00.000Z_------------------------------------',
    ]) {
      await expect(listRequests(database.db, as(noc), { after, limit: 1 })).rejects.toThrow(ValidationError);
    }
  });

  /**
   * On PostgreSQL the filing really overlaps the closing: it must wait for it and be refused,
   * not read "active" before the closing commits and insert anyway. On PGlite they queue.
   */
  it('refuses a request filed while the institution is being closed, leaving nothing', async () => {
    let filing: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await tx
        .update(institutions)
        .set({ status: 'closed', closedAt: new Date() })
        .where(eq(institutions.id, a.id));
      filing = fileRequest(database.db, as(a.technical), envOf(database), {
        kind: 'test.flow',
        institutionId: a.id,
        payload: { label: 'late', size: 1 },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await filing).toBeInstanceOf(PolicyRefusalError);
    expect(await database.db.select().from(requests).where(eq(requests.institutionId, a.id))).toEqual([]);
  });
});
