import type { RequestContext } from '@guichet/core';
import { and, type Database, eq } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { freshDatabase } from '@guichet/testkit';
import { actOnStep, type Env, fileRequest, getRequest, requestEvents } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, reservations } from './tables.js';
import { noc, pool, requestWorld } from './test/fixtures.js';
import { PREFIX_REQUEST, RETURN_REQUEST, reverseDelegation } from './workflow.js';

describe(`ipam requests on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let env: Env;
  let inst: { id: string; siteId: string };
  let tech: RequestContext;
  beforeAll(async () => {
    // The NOC path: the auto-approval policy is off here (register.test.ts covers it on).
    database = await freshDatabase();
    ({ runner, env, inst, tech } = await requestWorld(database, { IPAM_AUTO_APPROVE: 'false' }));
    await pool(database.db, '2001:db8:f00::/40', { growthLength: 44 });
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  const settled = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await getRequest(database.db, noc(), id);
      if (r.status !== 'in_progress' || (r.currentStep !== 'register' && r.currentStep !== 'deregister'))
        return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('request did not settle');
  };

  it('a /48 for a site: NOC approval allocates, registration (not configured) activates, return quarantines', async () => {
    const req = await fileRequest(database.db, tech, env, {
      kind: PREFIX_REQUEST,
      institutionId: inst.id,
      payload: { family: 6, size: 48, siteId: inst.siteId, purpose: 'campus' },
    });
    expect(req).toMatchObject({ status: 'in_progress', currentStep: 'approval' });
    const approved = await actOnStep(database.db, noc(), env, {
      requestId: req.id,
      step: 'approval',
      decision: 'approve',
    });
    expect(approved.currentStep).toBe('register');
    const [reserved] = await database.db.select().from(assignments).where(eq(assignments.requestId, req.id));
    expect(reserved).toMatchObject({
      prefix: '2001:db8:f00::/48',
      lifecycle: 'reserved',
      status: 'ASSIGNED',
    });
    // The pool's growth envelope: the /44 around it, held for the institution.
    const growth = await database.db
      .select()
      .from(reservations)
      .where(eq(reservations.assignmentId, reserved!.id));
    expect(growth).toHaveLength(4);
    expect(growth.every((r) => r.envelope === '2001:db8:f00::/44' && r.institutionId === inst.id)).toBe(true);
    expect(await settled(req.id)).toMatchObject({ status: 'completed' });
    const [active] = await database.db.select().from(assignments).where(eq(assignments.requestId, req.id));
    expect(active!.lifecycle).toBe('active');
    // Last step: the reverse delegation offer, in the request history for the rdns line.
    const [offer] = await database.db
      .select()
      .from(requestEvents)
      .where(
        and(
          eq(requestEvents.requestId, req.id),
          eq(requestEvents.type, 'step_completed'),
          eq(requestEvents.step, 'offer-rdns'),
        ),
      );
    expect((offer!.data as { output: unknown }).output).toEqual({
      assignmentId: active!.id,
      prefix: '2001:db8:f00::/48',
      reverseZones: [
        { zone: '0.0.f.0.8.b.d.0.1.0.0.2.ip6.arpa', prefix: '2001:db8:f00::/48', kind: 'nibble' },
      ],
    });

    const ret = await fileRequest(database.db, tech, env, {
      kind: RETURN_REQUEST,
      institutionId: inst.id,
      payload: { assignmentId: active!.id },
    });
    expect(ret).toMatchObject({ status: 'in_progress', currentStep: 'deregister' });
    expect(await settled(ret.id)).toMatchObject({ status: 'completed' });
    const [q] = await database.db.select().from(assignments).where(eq(assignments.id, active!.id));
    expect(q!.lifecycle).toBe('quarantined');
  });

  it('reverse delegation: an IPv6 /48 is one nibble zone, an IPv4 /26 an RFC 2317 zone under its /24', () => {
    expect(reverseDelegation('2001:db8:f01::/48')).toEqual([
      { zone: '1.0.f.0.8.b.d.0.1.0.0.2.ip6.arpa', prefix: '2001:db8:f01::/48', kind: 'nibble' },
    ]);
    expect(reverseDelegation('192.0.2.64/26')).toEqual([
      {
        zone: '64-127.2.0.192.in-addr.arpa',
        prefix: '192.0.2.64/26',
        kind: 'rfc2317',
        parent: '2.0.192.in-addr.arpa',
      },
    ]);
    expect(reverseDelegation('10.4.0.0/23').map((z) => z.zone)).toEqual([
      '0.4.10.in-addr.arpa',
      '1.4.10.in-addr.arpa',
    ]);
  });

  it('IPv4 without a usage description is refused at filing, naming the rule', async () => {
    const e = await fileRequest(database.db, tech, env, {
      kind: PREFIX_REQUEST,
      institutionId: inst.id,
      payload: { family: 4, size: 26, purpose: 'lab' },
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ rule: 'justification-required' });
  });
});
