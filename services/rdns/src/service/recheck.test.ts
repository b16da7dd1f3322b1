import { eq, inArray } from '@guichet/db';
import { kdig, until } from '@guichet/testkit';
import { fileRequest, getRequest, notifications, requests, tickets } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delegations } from '../tables.js';
import { NS, nocContext, startWorld, type World } from '../test/world.js';
import { RDNS_DELEGATION, RDNS_LAME } from '../workflow.js';
import { recheckAll, recheckOne } from './recheck.js';

/**
 * The periodic re-check (peers tier): two zones delegated to two real Knot servers; one server
 * stops; the re-check (run twice at once, as two workers would) opens exactly one lame request
 * per zone — a ticket in the rdns queue, an "action needed" email to the technical contact —
 * the parent keeps the delegation; the server comes back and the lame requests close themselves.
 */

describe(`rdns periodic re-check on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
    for (const zone of [w.z48, w.z26]) {
      const r = await fileRequest(w.database.db, w.tech, w.env, {
        kind: RDNS_DELEGATION,
        institutionId: w.inst,
        payload: { zone, nameservers: NS },
      });
      await until('publication', async () => {
        const s = (await getRequest(w.database.db, nocContext(), r.id)).status;
        if (s !== 'in_progress') return s;
      }).then((s) => expect(s).toBe('completed'));
    }
  });
  afterAll(async () => {
    await w?.stop();
  });

  const lameRequests = () =>
    w.database.db.select().from(requests).where(eq(requests.kind, RDNS_LAME)).orderBy(requests.createdAt);

  it('all good: every zone checked, nothing opened', async () => {
    const s = await recheckAll(w.database.db, nocContext(), w.env, { concurrency: 4 });
    expect(s).toMatchObject({ checked: 2, errors: 0, outcomes: { ok: 2, 'turned-lame': 0 } });
    expect(await lameRequests()).toEqual([]);
  });

  it('a server stops: one lame request per zone even with two re-checks racing; ticket and email', async () => {
    await w.servers[1]?.stop();
    const [a, b] = await Promise.all([
      recheckAll(w.database.db, nocContext(), w.env, { concurrency: 2 }),
      recheckAll(w.database.db, nocContext(), w.env, { concurrency: 2 }),
    ]);
    expect((a?.outcomes['turned-lame'] ?? 0) + (b?.outcomes['turned-lame'] ?? 0)).toBe(2);
    const opened = await lameRequests();
    expect(opened.map((r) => (r.payload as { zone: string }).zone).sort()).toEqual([w.z48, w.z26].sort());
    expect(opened.every((r) => r.requester === 'system:rdns')).toBe(true);
    const rows = await w.database.db.select().from(delegations).where(eq(delegations.institutionId, w.inst));
    expect(rows.map((r) => r.state)).toEqual(['lame', 'lame']);
    expect(JSON.stringify(rows[0]?.lastFindings)).toContain('UNREACHABLE_UDP');

    const ids = opened.map((r) => r.id);
    const tix = await w.database.db.select().from(tickets).where(inArray(tickets.requestId, ids));
    expect(tix.map((t) => t.queue)).toEqual(['rdns', 'rdns']);
    const mails = await w.database.db
      .select()
      .from(notifications)
      .where(inArray(notifications.requestId, ids));
    expect(mails.map((m) => [m.template, m.recipient])).toEqual([
      ['action_needed', 'tech@univ-rdns.fr'],
      ['action_needed', 'tech@univ-rdns.fr'],
    ]);
    // A lame delegation stays in the parent: the institution repairs, the NOC decides on removal.
    expect(await kdig(w.parent, w.z48, 'NS')).toMatch(/IN\s+NS\s+ns2\.univ-rdns\.fr\./);

    // The next run checks published zones only: no second request for a zone already lame.
    const again = await recheckAll(w.database.db, nocContext(), w.env, { concurrency: 2 });
    expect(again.checked).toBe(0);
    expect(await lameRequests()).toHaveLength(2);
  });

  it('the server comes back: the repair steps see it, the zones are published again, the requests complete', async () => {
    await w.restartSecond();
    const done = await until('lame requests completed', async () => {
      const rs = await lameRequests();
      return rs.every((r) => r.status === 'completed') ? rs : undefined;
    });
    expect(done).toHaveLength(2);
    const rows = await w.database.db.select().from(delegations).where(eq(delegations.institutionId, w.inst));
    expect(rows.map((r) => r.state)).toEqual(['published', 'published']);
    const tix = await w.database.db
      .select()
      .from(tickets)
      .where(
        inArray(
          tickets.requestId,
          done.map((r) => r.id),
        ),
      );
    expect(tix.map((t) => t.state)).toEqual(['resolved', 'resolved']);
  });

  it('the NOC re-checks one zone on demand', async () => {
    const [d] = await w.database.db.select().from(delegations).where(eq(delegations.zone, w.z48));
    const r = await recheckOne(w.database.db, nocContext(), w.env, String(d?.id));
    expect(r).toMatchObject({ outcome: 'ok', delegation: { state: 'published' } });
  });
});
