import { newRequestContext } from '@guichet/core';
import { type Database, pgError } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addJournalEntry, listChanges, listJournal, recordChange } from './service.js';

const staff = newRequestContext({
  requestId: 'req-1',
  actor: {
    kind: 'staff',
    id: '00000000-0000-4000-8000-000000000001',
    username: 'nadia',
    displayName: 'Nadia',
    roles: ['noc'],
    credential: { method: 'session', scope: 'write' },
  },
});

describe('change log and journal', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('records a change with actor, request id and before/after, in the writer transaction', async () => {
    await database.db.transaction(async (tx) => {
      await recordChange(tx, staff, {
        action: 'test.rename',
        objectType: 'Thing',
        objectId: 't1',
        before: { name: 'a' },
        after: { name: 'b', at: new Date('2026-01-01T00:00:00Z') },
      });
    });
    await database.db
      .transaction(async (tx) => {
        await recordChange(tx, staff, { action: 'test.rolledBack', objectType: 'Thing', objectId: 't1' });
        throw new Error('abort');
      })
      .catch(() => {});
    const rows = await listChanges(database.db, { objectType: 'Thing', objectId: 't1', limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'staff:nadia',
      requestId: 'req-1',
      action: 'test.rename',
      before: { name: 'a' },
      after: { name: 'b', at: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('refuses to update, delete or truncate the change log', async () => {
    for (const sql of [
      `UPDATE audit_changes SET actor = 'someone else'`,
      'DELETE FROM audit_changes',
      'TRUNCATE audit_changes',
    ]) {
      const err = await database.query(sql).catch((e: unknown) => e);
      expect(pgError(err)?.code, sql).toBe('42501');
    }
    expect(await listChanges(database.db, { limit: 10 })).toHaveLength(1);
  });

  it('lets staff attach journal entries, which are append-only too', async () => {
    const entry = await addJournalEntry(database.db, staff, {
      objectType: 'Thing',
      objectId: 't1',
      kind: 'warning',
      body: 'Called the site: their name servers move next week.',
    });
    expect(entry).toMatchObject({ actor: 'staff:nadia', kind: 'warning' });
    expect(await listJournal(database.db, 'Thing', 't1')).toHaveLength(1);
    const err = await database.query(`DELETE FROM audit_journal`).catch((e: unknown) => e);
    expect(pgError(err)?.code).toBe('42501');
  });

  it('refuses journal entries from non-staff and empty ones', async () => {
    const contact = newRequestContext({
      actor: {
        kind: 'contact',
        id: 'c',
        displayName: 'C',
        institutionId: 'i',
        roles: ['technical'],
        credential: { method: 'token', scope: 'write' },
      },
    });
    await expect(
      addJournalEntry(database.db, contact, { objectType: 'T', objectId: '1', kind: 'info', body: 'x' }),
    ).rejects.toThrow(/staff/);
    await expect(
      addJournalEntry(database.db, staff, { objectType: 'T', objectId: '1', kind: 'info', body: '   ' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
