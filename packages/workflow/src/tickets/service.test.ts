import {
  type Actor,
  type Clock,
  ConflictError,
  ForbiddenError,
  fixedClock,
  InvalidTransitionError,
  NotFoundError,
  newRequestContext,
  PolicyRefusalError,
} from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestEvents } from '../tables.js';
import {
  addComment,
  assignTicket,
  getTicket,
  listComments,
  listTickets,
  releaseTicket,
  setSlaTargets,
  takeTicket,
  ticketForRequest,
} from './index.js';
import { contact, contactActor, emit, institution, minutes, request, staffActor } from './test/fixtures.js';

const T0 = new Date('2026-03-02T08:00:00Z');
const noc = staffActor('jdupont', ['noc']);
const noc2 = staffActor('pmartin', ['noc']);
const desk = staffActor('adesk', ['desk']);

describe(`ticket use-cases on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let a: string;
  let b: string;
  let techA: Awaited<ReturnType<typeof contact>>;
  let secA: Awaited<ReturnType<typeof contact>>;
  let techB: Awaited<ReturnType<typeof contact>>;
  const ctxOf = (actor: Actor, clock: Clock = fixedClock(T0)) => newRequestContext({ actor, clock });

  async function submitted(inst: string, kind = 'membership.svc', at = T0) {
    const req = await request(database, inst, kind, null);
    await emit(database, 'submitted', req, { clock: fixedClock(at) });
    return (await ticketForRequest(database.db, req.id))!;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    a = (await institution(database, 'Université Alpha')).id;
    b = (await institution(database, 'Institut Bêta')).id;
    techA = await contact(database, a, 'Tech A', 'tech@alpha.fr', ['technical']);
    secA = await contact(database, a, 'Sec A', 'rssi@alpha.fr', ['security']);
    techB = await contact(database, b, 'Tech B', 'tech@beta.fr', ['technical']);
    setSlaTargets('membership.svc', { responseMinutes: 60, resolutionMinutes: 600 });
  });
  afterAll(async () => {
    await database.close();
  });

  it('take: owner, open, first response; a colleague gets a conflict; the NOC reassigns', async () => {
    const t = await submitted(a);
    const taken = await takeTicket(database.db, ctxOf(noc, fixedClock(minutes(T0, 7))), t.id);
    expect(taken).toMatchObject({
      ownerId: noc.kind === 'staff' && noc.id,
      state: 'open',
      firstResponseAt: minutes(T0, 7),
    });
    expect(await takeTicket(database.db, ctxOf(noc), t.id)).toMatchObject({ ownerId: taken.ownerId }); // again: no-op
    await expect(takeTicket(database.db, ctxOf(noc2), t.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(
      assignTicket(database.db, ctxOf(desk), t.id, (noc2 as { id: string }).id),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const moved = await assignTicket(database.db, ctxOf(noc), t.id, (noc2 as { id: string }).id);
    expect(moved.ownerId).toBe((noc2 as { id: string }).id);
    await expect(releaseTicket(database.db, ctxOf(desk), t.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await releaseTicket(database.db, ctxOf(noc2), t.id)).toMatchObject({
      ownerId: null,
      state: 'open',
    });
  });

  it('refuses scripts as owners, read-only tokens, contacts, unknown and final tickets', async () => {
    const t = await submitted(a);
    const script: Actor = {
      kind: 'script',
      id: 'x',
      name: 'bulk',
      roles: ['noc'],
      credential: { method: 'token', scope: 'write' },
    };
    await expect(takeTicket(database.db, ctxOf(script), t.id)).rejects.toBeInstanceOf(PolicyRefusalError);
    const readOnly: Actor = { ...noc, credential: { method: 'token', scope: 'read' } } as Actor;
    await expect(takeTicket(database.db, ctxOf(readOnly), t.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(takeTicket(database.db, ctxOf(contactActor(techA)), t.id)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(takeTicket(database.db, ctxOf(noc), crypto.randomUUID())).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const req = await request(database, a, 'membership.svc', null);
    await emit(database, 'submitted', req, { clock: fixedClock(T0) });
    await emit(database, 'completed', req, { clock: fixedClock(T0) });
    const done = (await ticketForRequest(database.db, req.id))!;
    await expect(takeTicket(database.db, ctxOf(noc), done.id)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('comments: staff write both kinds, contacts never see internal ones nor other institutions', async () => {
    const t = await submitted(a);
    await addComment(database.db, ctxOf(noc), {
      ticketId: t.id,
      body: 'Appeler le RSSI avant',
      visibility: 'internal',
    });
    expect((await ticketForRequest(database.db, t.requestId))?.firstResponseAt).toBeNull(); // a note is no answer
    await addComment(database.db, ctxOf(noc, fixedClock(minutes(T0, 9))), {
      ticketId: t.id,
      body: 'Nous traitons votre demande.',
      visibility: 'institution',
    });
    expect(await ticketForRequest(database.db, t.requestId)).toMatchObject({
      firstResponseAt: minutes(T0, 9),
      state: 'open',
    });
    await addComment(database.db, ctxOf(contactActor(techA), fixedClock(minutes(T0, 10))), {
      ticketId: t.id,
      body: 'Merci !',
      visibility: 'institution',
    });

    await expect(
      addComment(database.db, ctxOf(contactActor(techA)), {
        ticketId: t.id,
        body: 'psst',
        visibility: 'internal',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      addComment(database.db, ctxOf(contactActor(secA)), {
        ticketId: t.id,
        body: 'moi aussi',
        visibility: 'institution',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      addComment(database.db, ctxOf(contactActor(techB)), {
        ticketId: t.id,
        body: 'intrus',
        visibility: 'institution',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);

    const bodies = async (actor: Actor) => (await listComments(database.db, actor, t.id)).map((c) => c.body);
    expect(await bodies(noc)).toEqual(['Appeler le RSSI avant', 'Nous traitons votre demande.', 'Merci !']);
    expect(await bodies(contactActor(secA))).toEqual(['Nous traitons votre demande.', 'Merci !']);
    expect(await bodies(contactActor(techB))).toEqual([]);
    expect(await getTicket(database.db, contactActor(techB), t.id)).toBeNull();
    expect(await getTicket(database.db, contactActor(secA), t.id)).toMatchObject({ id: t.id });

    // The request's history shows each comment; an internal one without its text.
    const history = await database.db
      .select()
      .from(requestEvents)
      .where(eq(requestEvents.requestId, t.requestId))
      .orderBy(requestEvents.id);
    const commented = history.filter((e) => e.type === 'commented');
    expect(commented.map((e) => e.note)).toEqual([null, 'Nous traitons votre demande.', 'Merci !']);
    expect(JSON.stringify(history)).not.toContain('RSSI');
  });

  it('lists with filters and keyset paging; a contact lists only their institution', async () => {
    const mine = [
      await submitted(b, 'ipam.prefix'),
      await submitted(b, 'ipam.prefix'),
      await submitted(b, 'rdns.zone'),
    ];
    await takeTicket(database.db, ctxOf(noc), mine[2]!.id);
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    const list = (actor: Actor, f: Parameters<typeof listTickets>[2], after?: string, n = 100) =>
      listTickets(database.db, actor, f, T0, after, n);
    expect(ids(await list(noc, { institutionId: b }))).toEqual(ids(mine));
    expect(ids(await list(noc, { institutionId: b, queue: 'ipam' }))).toEqual(ids(mine.slice(0, 2)));
    expect(ids(await list(noc, { institutionId: b, states: ['open'] }))).toEqual([mine[2]!.id]);
    expect(ids(await list(noc, { ownerId: (noc as { id: string }).id, institutionId: b }))).toEqual([
      mine[2]!.id,
    ]);
    expect(ids(await list(noc, { search: 'bêta' }))).toEqual(ids(mine));
    expect(ids(await list(noc, { search: 'rdns.' }))).toEqual([mine[2]!.id]);
    expect(ids(await list(contactActor(techB), {}))).toEqual(ids(mine));
    expect(await list(contactActor(techB), { institutionId: a })).toEqual([]);

    // Paging one by one through everything visible to staff: each ticket exactly once.
    const all = await list(noc, {});
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await list(noc, {}, after, 1);
      if (page.length === 0) break;
      seen.push(page[0]!.id);
      after = `${page[0]!.createdAt.toISOString()}_${page[0]!.id}`;
    }
    expect(seen).toEqual(all.map((t) => t.id));
  });
});
