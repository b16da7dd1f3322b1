import { auditChanges } from '@guichet/audit';
import { newRequestContext } from '@guichet/core';
import { and, eq } from '@guichet/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../epp/registry.js';
import { EppSession } from '../epp/session.js';
import { domains, pollMessages } from '../tables.js';
import { addMember, startWorld, type World } from '../test/world.js';
import { drainPoll } from './poll.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const ctx = () => newRequestContext({ actor: { kind: 'system', name: 'domains.poll' } });

describe(`the registry poll queue on ${engine}`, () => {
  let w: World;
  let domainId: string;
  beforeAll(async () => {
    w = await startWorld();
    const m = await addMember(w.database, 'tutelle');
    const [row] = await w.database.db
      .insert(domains)
      .values({
        institutionId: m.id,
        name: 'supprime.fr',
        uName: 'supprime.fr',
        zone: 'fr',
        state: 'active',
        holder: { name: 'X', legalStatus: 'other', siren: '180089013', country: 'FR', city: 'Paris' },
        adminContactId: m.adminId,
        techContactIds: m.techIds,
        nameservers: [],
        periodYears: 1,
        priceCents: 0,
        pricing: 'tutelle',
        requestId: m.id,
      })
      .returning();
    domainId = String(row?.id);
  });
  afterAll(async () => {
    await w?.stop();
  });

  const newWorker = () => {
    const s = w.standin;
    const session = new EppSession(
      { host: s.host, port: s.port, clID: s.clID, password: s.password, ca: s.ca, servername: 'localhost' },
      { helloIntervalMs: 0 },
    );
    return { session, registry: new Registry(session, s.clID) };
  };

  it('acts on a message exactly once when the worker dies between storing it and acking it', async () => {
    const id = w.standin.enqueue({
      msg: 'Domain deleted by the registry',
      extension: (e) => {
        const d = e
          .ele('http://www.afnic.fr/xml/epp/frnic-2.0', 'frnic:ext')
          .ele('frnic:resData')
          .ele('frnic:ntfData')
          .ele('frnic:domain');
        d.ele('frnic:name').txt('supprime.fr');
        d.ele('frnic:event').txt('deletedByRegistry');
      },
    });
    // Worker 1: stores and acts, then dies (its connection cut, the process gone) before the ack.
    const first = newWorker();
    await expect(
      drainPoll(w.database.db, ctx(), first.registry, {
        afterStore: async () => {
          w.standin.dropConnections();
          throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    await first.session.close();
    expect(w.standin.state.queue.map((m) => m.id)).toEqual([id]); // not acked: still queued
    const [stored] = await w.database.db.select().from(pollMessages).where(eq(pollMessages.registryId, id));
    expect(stored).toMatchObject({
      kind: 'deletion',
      action: 'supprime.fr deleted by the registry',
      ackedAt: null,
    });

    // Worker 2 (restarted): the same message comes back; it is acked, not acted on again.
    const second = newWorker();
    const r = await drainPoll(w.database.db, ctx(), second.registry);
    await second.session.close();
    expect(r).toEqual({ stored: 0, acted: [], acked: 1 });
    expect(w.standin.state.queue).toEqual([]);
    const rows = await w.database.db.select().from(pollMessages).where(eq(pollMessages.registryId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.ackedAt).toBeInstanceOf(Date);
    const acts = await w.database.db
      .select()
      .from(auditChanges)
      .where(and(eq(auditChanges.objectId, domainId), eq(auditChanges.action, 'domains.poll.deletion')));
    expect(acts).toHaveLength(1);
    const [row] = await w.database.db.select().from(domains).where(eq(domains.id, domainId));
    expect(row?.state).toBe('deleted');
  });

  it('a worker dying before its store commits loses nothing: the next one stores and acts', async () => {
    const id = w.standin.enqueue({ msg: 'Qualification started' });
    const first = newWorker();
    // Dies right after reading: nothing stored.
    await first.registry.pollRequest();
    w.standin.dropConnections();
    await first.session.close();
    expect(await w.database.db.select().from(pollMessages).where(eq(pollMessages.registryId, id))).toEqual(
      [],
    );
    const second = newWorker();
    const r = await drainPoll(w.database.db, ctx(), second.registry);
    await second.session.close();
    expect(r.stored).toBe(1);
    expect(r.acked).toBe(1);
  });
});
