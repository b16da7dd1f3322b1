import type { RequestContext } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { sites } from '@guichet/membership';
import { freshDatabase, type RipeStandin, startRipeStandin } from '@guichet/testkit';
import {
  actOnStep,
  type Env,
  fileRequest,
  getRequest,
  requestHistory,
  requestSteps,
} from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments } from './tables.js';
import { noc, pool, requestWorld } from './test/fixtures.js';
import { PREFIX_REQUEST, RETURN_REQUEST } from './workflow.js';

const KEY = { keyId: 'ABCDEFGHIJKLMNOPQRSTUVWX', secret: 'ripe-secret-1' };
const strip = (attrs: { name: string; value: string }[]) =>
  attrs.filter((a) => a.name !== 'created' && a.name !== 'last-modified');

describe(`RIPE registration of ipam requests on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let env: Env;
  let ripe: RipeStandin;
  let inst: { id: string; siteId: string };
  let tech: RequestContext;

  beforeAll(async () => {
    ripe = await startRipeStandin({ source: 'TEST', apiKeys: [{ ...KEY, maintainers: ['EXAMPLE-MNT'] }] });
    database = await freshDatabase();
    ({ runner, env, inst, tech } = await requestWorld(database, {
      RIPE_API_URL: ripe.url,
      RIPE_API_KEY: `${KEY.keyId}:${KEY.secret}`,
      RIPE_SOURCE: 'TEST',
      RIPE_RETRY_DELAY_SECONDS: '1',
    }));
    await pool(database.db, '2001:db8:a00::/40', { netname: 'EXAMPLE-V6' });
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
    await ripe?.stop();
  });

  const settled = async (id: string) => {
    for (let i = 0; i < 300; i++) {
      const r = await getRequest(database.db, noc(), id);
      if (r.status !== 'in_progress') return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('request did not settle');
  };
  const file = (payload: Record<string, unknown>) =>
    fileRequest(database.db, tech, env, { kind: PREFIX_REQUEST, institutionId: inst.id, payload });

  it('a /48 for a site is auto-approved, registered (dry-run first, exact inet6num, after a 503 retried) and active', async () => {
    ripe.failNext(503);
    const before = ripe.requests.length;
    const req = await file({ family: 6, size: 48, siteId: inst.siteId, purpose: 'campus' });
    expect(req).toMatchObject({ status: 'in_progress', currentStep: 'register' });
    const history = await requestHistory(database.db, req.id);
    expect(history.find((e) => e.type === 'step_completed' && e.step === 'approval')).toMatchObject({
      actor: 'system:policy',
      note: expect.stringContaining('standard case'),
    });
    expect(await settled(req.id)).toMatchObject({ status: 'completed' });

    const steps = await requestSteps(database.db, await getRequest(database.db, noc(), req.id));
    const register = steps.find((s) => s.name === 'register')!;
    expect(register).toMatchObject({ state: 'done', attempts: 2 });
    expect(register.lastError).toMatch(/HTTP 503/);

    const [a] = await database.db.select().from(assignments).where(eq(assignments.requestId, req.id));
    expect(a).toMatchObject({ prefix: '2001:db8:a00::/48', lifecycle: 'active', ripeLastError: null });
    expect(a!.ripeRegisteredAt).toBeInstanceOf(Date);
    const objs = ripe.objects();
    expect(objs).toHaveLength(1);
    expect(objs[0]!.type).toBe('inet6num');
    expect(strip(objs[0]!.attributes)).toEqual([
      { name: 'inet6num', value: '2001:db8:a00::/48' },
      { name: 'netname', value: 'EXAMPLE-V6' },
      { name: 'country', value: 'FR' },
      { name: 'admin-c', value: 'NOC1-RIPE' },
      { name: 'tech-c', value: 'NOC1-RIPE' },
      { name: 'status', value: 'ASSIGNED' },
      { name: 'mnt-by', value: 'EXAMPLE-MNT' },
      { name: 'source', value: 'TEST' },
    ]);
    // The failed dry run, then dry run + real create.
    expect(ripe.requests.slice(before)).toEqual([
      { method: 'POST', path: '/test/inet6num', dryRun: true },
      { method: 'POST', path: '/test/inet6num', dryRun: true },
      { method: 'POST', path: '/test/inet6num', dryRun: false },
    ]);

    // Return: quarantined, and the object deleted (dry run first).
    const mark = ripe.requests.length;
    const ret = await fileRequest(database.db, tech, env, {
      kind: RETURN_REQUEST,
      institutionId: inst.id,
      payload: { assignmentId: a!.id },
    });
    expect(await settled(ret.id)).toMatchObject({ status: 'completed' });
    expect(ripe.objects()).toEqual([]);
    expect(ripe.requests.slice(mark).map((r) => [r.method, r.dryRun])).toEqual([
      ['DELETE', true],
      ['DELETE', false],
    ]);
    const [q] = await database.db.select().from(assignments).where(eq(assignments.id, a!.id));
    expect(q).toMatchObject({ lifecycle: 'quarantined', ripeRegisteredAt: null });
  });

  it('a second /48 for the same site waits for the NOC; another site’s first /48 is auto-approved', async () => {
    const first = await file({ family: 6, size: 48, siteId: inst.siteId, purpose: 'campus' });
    expect(await settled(first.id)).toMatchObject({ status: 'completed' });
    const second = await file({ family: 6, size: 48, siteId: inst.siteId, purpose: 'lab' });
    expect(second).toMatchObject({ status: 'in_progress', currentStep: 'approval' });
    const [site2] = await database.db
      .insert(sites)
      .values({ institutionId: inst.id, name: 'Annex', address: '2 rue', city: 'Lyon', main: false })
      .returning();
    expect(await file({ family: 6, size: 48, siteId: site2!.id, purpose: 'annex' })).toMatchObject({
      currentStep: 'register',
    });

    await actOnStep(database.db, noc(), env, {
      requestId: second.id,
      step: 'approval',
      decision: 'approve',
    });
    const [a] = await database.db.select().from(assignments).where(eq(assignments.requestId, second.id));
    expect(a!.lifecycle).toBe('reserved');
    expect(await settled(second.id)).toMatchObject({ status: 'completed' });
  });

  it('a different object already in the database is drift: the attempt fails and says why', async () => {
    const { registerAssignment } = await import('./register.js');
    const { ripe: client, ripeSettings: settings } = env.line('ipam');
    const req = await file({ family: 6, size: 48, siteId: inst.siteId, purpose: 'third' });
    expect(req.currentStep).toBe('approval');
    const approved = await actOnStep(
      database.db,
      noc(),
      { ...env, jobs: null },
      {
        requestId: req.id,
        step: 'approval',
        decision: 'approve',
      },
    ).catch((e: Error) => e);
    // Without a job runner the external step cannot start: nothing was written.
    expect(approved).toBeInstanceOf(Error);
    await actOnStep(database.db, noc(), env, { requestId: req.id, step: 'approval', decision: 'approve' });
    const [a] = await database.db.select().from(assignments).where(eq(assignments.requestId, req.id));
    await settled(req.id);
    // A retry whose write already went through finds the identical object: success.
    expect(await registerAssignment(database.db, noc(), a!.id, client, settings)).toMatchObject({
      registered: true,
      alreadyThere: true,
    });
    // Someone changes the object in the database behind our back; registering again = drift.
    const obj = ripe.objects().find((o) => o.attributes[0]!.value === a!.prefix)!;
    ripe.seed({
      type: obj.type,
      attributes: strip(obj.attributes).map((x) =>
        x.name === 'netname' ? { ...x, value: 'SOMEONE-ELSE' } : x,
      ),
    });
    const e = await registerAssignment(database.db, noc(), a!.id, client, settings).catch((x: Error) => x);
    expect((e as Error).message).toMatch(/differs \(netname: held EXAMPLE-V6 \/ RIPE SOMEONE-ELSE\)/);
    const [after] = await database.db.select().from(assignments).where(eq(assignments.id, a!.id));
    expect(after!.ripeLastError).toMatch(/differs/);
  });
});
