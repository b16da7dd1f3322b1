import { createLogger, loadConfig, newId, newRequestContext, type RequestContext } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import { contactRoles, contacts } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import {
  actOnStep,
  bindWorkflowJobs,
  fileRequest,
  getRequest,
  notifyJobs,
  workflowJobs,
} from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureIpam } from './register.js';
import { assignments } from './tables.js';
import { institution, noc, pool } from './test/fixtures.js';
import { PREFIX_REQUEST, RETURN_REQUEST } from './workflow.js';

describe(`ipam requests on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let inst: { id: string; siteId: string };
  let tech: RequestContext;
  beforeAll(async () => {
    // The NOC path: the auto-approval policy is off here (register.test.ts covers it on).
    configureIpam(loadConfig({ IPAM_AUTO_APPROVE: 'false' }));
    database = await freshDatabase();
    runner = createJobRunner(database, {
      definitions: [...workflowJobs, ...notifyJobs({ database, config: loadConfig({}), sweepCron: null })],
      logger: createLogger('silent'),
      pollingIntervalSeconds: 0.5,
    });
    bindWorkflowJobs(database, runner);
    await runner.start();
    inst = await institution(database.db);
    const [c] = await database.db
      .insert(contacts)
      .values({ institutionId: inst.id, name: 'Tech', email: 't@x.example' })
      .returning();
    await database.db
      .insert(contactRoles)
      .values({ contactId: c!.id, institutionId: inst.id, role: 'technical' });
    tech = newRequestContext({
      actor: {
        kind: 'contact',
        id: c!.id,
        displayName: 'Tech',
        institutionId: inst.id,
        roles: ['technical'],
        credential: { method: 'token', tokenId: newId(), scope: 'write' },
      },
    });
    await pool(database.db, '2001:db8:f00::/40');
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
    const req = await fileRequest(database.db, tech, runner, {
      kind: PREFIX_REQUEST,
      institutionId: inst.id,
      payload: { family: 6, size: 48, siteId: inst.siteId, purpose: 'campus' },
    });
    expect(req).toMatchObject({ status: 'in_progress', currentStep: 'approval' });
    const approved = await actOnStep(database.db, noc(), runner, {
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
    expect(await settled(req.id)).toMatchObject({ status: 'completed' });
    const [active] = await database.db.select().from(assignments).where(eq(assignments.requestId, req.id));
    expect(active!.lifecycle).toBe('active');

    const ret = await fileRequest(database.db, tech, runner, {
      kind: RETURN_REQUEST,
      institutionId: inst.id,
      payload: { assignmentId: active!.id },
    });
    expect(ret).toMatchObject({ status: 'in_progress', currentStep: 'deregister' });
    expect(await settled(ret.id)).toMatchObject({ status: 'completed' });
    const [q] = await database.db.select().from(assignments).where(eq(assignments.id, active!.id));
    expect(q!.lifecycle).toBe('quarantined');
  });

  it('IPv4 without a usage description is refused at filing, naming the rule', async () => {
    const e = await fileRequest(database.db, tech, runner, {
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
