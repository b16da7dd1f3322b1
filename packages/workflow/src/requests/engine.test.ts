import {
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { institutions } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnStep } from './act.js';
import { cancelRequest } from './lifecycle.js';
import {
  getRequest,
  listRequests,
  requestCursor,
  requestDocument,
  requestHistory,
  requestSteps,
} from './queries.js';
import { amendRequest, fileRequest, resubmitRequest, submitRequest } from './service.js';
import { as, envOf, type InstitutionFixture, seedInstitution, staff } from './test/fixtures.js';
import { abandoned, documentHash, registerTestKinds } from './test/kinds.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const desk = staff('dora', ['desk']);
const noc = staff('nadia', ['noc']);
const admin = staff('ada', ['admin']);

describe(`request engine on ${engine}`, () => {
  let database: Database;
  let a: InstitutionFixture;
  let b: InstitutionFixture;
  const count = async (table: string, where = 'true') =>
    (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n;
  const file = (actor = a.technical, payload: unknown = { label: 'lab', size: 3 }, extra = {}) =>
    fileRequest(database.db, as(actor), envOf(database), {
      kind: 'test.flow',
      institutionId: a.id,
      payload,
      ...extra,
    });
  const act = (actor: typeof desk, input: Parameters<typeof actOnStep>[3], requestId?: string) =>
    actOnStep(database.db, as(actor, requestId), envOf(database), input);

  beforeAll(async () => {
    registerTestKinds();
    database = await freshDatabase();
    a = await seedInstitution(database, 'ALPHA');
    b = await seedInstitution(database, 'BETA');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs automatic steps in the filing transaction and stops at the first human step', async () => {
    const req = await fileRequest(database.db, as(a.technical, 'http-file-1'), envOf(database), {
      kind: 'test.flow',
      institutionId: a.id,
      payload: { label: 'lab', size: 3 },
    });
    expect(req).toMatchObject({
      status: 'in_progress',
      currentStep: 'review',
      requester: `contact:${a.contactIds.technical}`,
    });
    const history = await requestHistory(database.db, req.id);
    expect(history.map((e) => [e.type, e.step, e.actor, e.httpRequestId])).toEqual([
      ['filed', null, `contact:${a.contactIds.technical}`, 'http-file-1'],
      ['submitted', null, `contact:${a.contactIds.technical}`, 'http-file-1'],
      ['step_completed', 'prepare', `contact:${a.contactIds.technical}`, 'http-file-1'],
      ['step_started', 'review', `contact:${a.contactIds.technical}`, 'http-file-1'],
    ]);
    expect(history[2]!.data).toEqual({ pass: 1, output: { prepared: 'lab#1' } });
    const steps = await requestSteps(database.db, req);
    expect(steps.map((s) => [s.name, s.state])).toEqual([
      ['prepare', 'done'],
      ['review', 'pending'],
      ['sign', 'not_started'],
    ]);
    expect(await count('audit_changes', `object_id = '${req.id}' AND action = 'workflow.fileRequest'`)).toBe(
      1,
    );
  });

  it('refuses a bad payload with field paths, and writes nothing', async () => {
    const before = await count('workflow_requests');
    const err = await file(a.technical, { label: '', size: -1 }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i: { path: unknown[] }) => i.path)).toEqual([
      ['input', 'payload', 'label'],
      ['input', 'payload', 'size'],
    ]);
    const taken = await file(a.technical, { label: 'taken', size: 1 }).catch((e) => e);
    expect(taken).toBeInstanceOf(ValidationError);
    expect(taken.issues[0].path).toEqual(['input', 'payload', 'label']);
    expect(await count('workflow_requests')).toBe(before);
  });

  it('rolls the whole filing back when an automatic step throws', async () => {
    const [requests, events, changes] = [
      await count('workflow_requests'),
      await count('workflow_request_events'),
      await count('audit_changes'),
    ];
    await expect(
      fileRequest(database.db, as(a.technical), envOf(database), {
        kind: 'test.boom',
        institutionId: a.id,
        payload: { label: 'x' },
      }),
    ).rejects.toThrow('the automatic step broke');
    expect(await count('workflow_requests')).toBe(requests);
    expect(await count('workflow_request_events')).toBe(events);
    expect(await count('audit_changes')).toBe(changes);
    expect(await count('workflow_step_runs', `step = 'write'`)).toBe(0);
  });

  it('lets only the technical contact (write credential) or the desk file', async () => {
    await expect(file(a.security)).rejects.toThrow(ForbiddenError);
    await expect(file(a.technicalReadOnly)).rejects.toThrow(ForbiddenError);
    await expect(file(a.head)).rejects.toThrow(ForbiddenError);
    await expect(file(b.technical)).rejects.toThrow(ForbiddenError);
    await expect(file(noc)).rejects.toThrow(ForbiddenError);
    expect((await file(desk)).requester).toBe('staff:dora');
    await expect(
      fileRequest(database.db, as(a.technical), envOf(database), {
        kind: 'nope.kind',
        institutionId: a.id,
        payload: {},
      }),
    ).rejects.toThrow(ValidationError);
  });

  it('refuses requests for a closed institution', async () => {
    const c = await seedInstitution(database, 'GAMMA');
    await database.db
      .update(institutions)
      .set({ status: 'closed', closedAt: new Date() })
      .where(eq(institutions.id, c.id));
    await expect(
      fileRequest(database.db, as(c.technical), envOf(database), {
        kind: 'test.flow',
        institutionId: c.id,
        payload: { label: 'x', size: 1 },
      }),
    ).rejects.toThrow(PolicyRefusalError);
  });

  it('waits on a human step for the right actor, and records who acted', async () => {
    const req = await file();
    const approve = { requestId: req.id, step: 'review', decision: 'approve' as const };
    await expect(act(a.technical, approve)).rejects.toThrow(ForbiddenError);
    await expect(act(noc, approve)).rejects.toThrow(ForbiddenError);
    await expect(act(a.head, approve)).rejects.toThrow(ForbiddenError);
    await expect(act(b.technical, approve)).rejects.toThrow(NotFoundError);
    const reviewed = await act(desk, approve, 'http-review');
    expect(reviewed).toMatchObject({ status: 'in_progress', currentStep: 'sign' });
    const review = (await requestSteps(database.db, reviewed)).find((s) => s.name === 'review')!;
    expect(review).toMatchObject({ state: 'done', actedBy: 'staff:dora' });
    expect(review.actedAt).toBeInstanceOf(Date);

    // The head signs the document they read through the request.
    const doc = await requestDocument(database.db, envOf(database), reviewed);
    expect(doc).toEqual({ text: 'Agreement for lab#1', hash: documentHash('lab#1') });
    const sign = { requestId: req.id, step: 'sign', decision: 'approve' as const };
    const noHash = await act(a.head, sign).catch((e) => e);
    expect(noHash).toBeInstanceOf(ValidationError);
    expect(noHash.issues[0].path).toEqual(['input', 'data', 'documentHash']);
    await expect(act(b.head, { ...sign, data: { documentHash: doc!.hash } })).rejects.toThrow(NotFoundError);
    await expect(act(a.technical, { ...sign, data: { documentHash: doc!.hash } })).rejects.toThrow(
      ForbiddenError,
    );
    const done = await act(a.head, { ...sign, data: { documentHash: doc!.hash } }, 'http-sign');
    expect(done).toMatchObject({ status: 'completed', currentStep: null });
    expect(done.closedAt).toBeInstanceOf(Date);

    const history = await requestHistory(database.db, req.id);
    expect(
      history.filter((e) => e.type === 'step_completed').map((e) => [e.step, e.actor, e.httpRequestId]),
    ).toEqual([
      ['prepare', `contact:${a.contactIds.technical}`, expect.any(String)],
      ['review', 'staff:dora', 'http-review'],
      ['sign', `contact:${a.contactIds.head}`, 'http-sign'],
    ]);
    expect(history.at(-1)).toMatchObject({
      type: 'completed',
      fromStatus: 'in_progress',
      toStatus: 'completed',
    });
    await expect(act(desk, approve)).rejects.toThrow(InvalidTransitionError);
  });

  it('lets an admin stand in for the desk', async () => {
    const req = await file();
    expect(await act(admin, { requestId: req.id, step: 'review', decision: 'approve' })).toMatchObject({
      currentStep: 'sign',
    });
  });

  it('returns with a reason, then amend (revision-checked) and resubmit start a new pass', async () => {
    const req = await file();
    await expect(act(desk, { requestId: req.id, decision: 'return' })).rejects.toThrow(ValidationError);
    const returned = await act(desk, {
      requestId: req.id,
      step: 'review',
      decision: 'return',
      reason: 'size is wrong',
    });
    expect(returned).toMatchObject({ status: 'returned', reason: 'size is wrong', currentStep: null });
    expect(abandoned).toContain(`${req.id} returned lab#1`);
    expect((await requestSteps(database.db, returned)).find((s) => s.name === 'review')).toMatchObject({
      state: 'skipped',
      actedBy: 'staff:dora',
    });

    const amend = (revision: number) =>
      amendRequest(database.db, as(a.technical), envOf(database), {
        requestId: req.id,
        revision,
        payload: { label: 'lab2', size: 4 },
      });
    await expect(amend(req.revision)).rejects.toThrow(ConflictError);
    await expect(amend(returned.revision)).resolves.toMatchObject({ payload: { label: 'lab2', size: 4 } });
    await expect(
      resubmitRequest(database.db, as(b.technical), envOf(database), { requestId: req.id }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      resubmitRequest(database.db, as(a.security), envOf(database), { requestId: req.id }),
    ).rejects.toThrow(ForbiddenError);
    const again = await resubmitRequest(database.db, as(a.technical), envOf(database), { requestId: req.id });
    expect(again).toMatchObject({ status: 'in_progress', currentStep: 'review', reason: null });
    const steps = await requestSteps(database.db, again);
    expect(steps.map((s) => [s.name, s.pass, s.state])).toEqual([
      ['prepare', 2, 'done'],
      ['review', 2, 'pending'],
      ['sign', 2, 'not_started'],
    ]);
    expect(await requestDocument(database.db, envOf(database), again)).toMatchObject({
      text: 'Agreement for lab2#2',
    });
    const types = (await requestHistory(database.db, req.id)).map((e) => e.type);
    expect(types).toEqual([
      'filed',
      'submitted',
      'step_completed',
      'step_started',
      'returned',
      'amended',
      'resubmitted',
      'step_completed',
      'step_started',
    ]);
  });

  it('amends and submits a draft; refuses to amend a running request', async () => {
    const draft = await file(a.technical, { label: 'd', size: 1 }, { submit: false });
    expect(draft).toMatchObject({ status: 'draft', currentStep: null });
    const amended = await amendRequest(database.db, as(a.technical), envOf(database), {
      requestId: draft.id,
      revision: draft.revision,
      payload: { label: 'd2', size: 2 },
    });
    const bad = await amendRequest(database.db, as(a.technical), envOf(database), {
      requestId: draft.id,
      revision: amended.revision,
      payload: { label: 'd3' },
    }).catch((e) => e);
    expect(bad.issues[0].path).toEqual(['input', 'payload', 'size']);
    await expect(
      submitRequest(database.db, as(a.technical), envOf(database), {
        requestId: draft.id,
        revision: draft.revision,
      }),
    ).rejects.toThrow(ConflictError);
    const running = await submitRequest(database.db, as(a.technical), envOf(database), {
      requestId: draft.id,
    });
    expect(running).toMatchObject({ status: 'in_progress', currentStep: 'review' });
    await expect(
      amendRequest(database.db, as(a.technical), envOf(database), {
        requestId: draft.id,
        revision: running.revision,
        payload: { label: 'x', size: 1 },
      }),
    ).rejects.toThrow(InvalidTransitionError);
    await expect(
      submitRequest(database.db, as(a.technical), envOf(database), { requestId: draft.id }),
    ).rejects.toThrow(InvalidTransitionError);
  });

  it('cancels: a draft, a request waiting on a person; never a final one; only the filer side', async () => {
    const draft = await file(a.technical, { label: 'c', size: 1 }, { submit: false });
    expect(
      (await cancelRequest(database.db, as(a.technical), envOf(database), { requestId: draft.id })).status,
    ).toBe('cancelled');
    const running = await file();
    await expect(
      cancelRequest(database.db, as(noc), envOf(database), { requestId: running.id }),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      cancelRequest(database.db, as(a.security), envOf(database), { requestId: running.id }),
    ).rejects.toThrow(ForbiddenError);
    const cancelled = await cancelRequest(database.db, as(a.technical), envOf(database), {
      requestId: running.id,
      reason: 'not needed',
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'not needed', currentStep: null });
    expect(abandoned).toContain(`${running.id} cancelled lab#1`);
    await expect(
      cancelRequest(database.db, as(a.technical), envOf(database), { requestId: running.id }),
    ).rejects.toThrow(InvalidTransitionError);
  });

  it('rejects with a reason (desk or NOC), after which nothing moves', async () => {
    const req = await file();
    await expect(act(a.technical, { requestId: req.id, decision: 'reject', reason: 'no' })).rejects.toThrow(
      ForbiddenError,
    );
    const rejected = await act(noc, { requestId: req.id, decision: 'reject', reason: 'out of policy' });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'out of policy' });
    expect(rejected.closedAt).toBeInstanceOf(Date);
    await expect(act(desk, { requestId: req.id, step: 'review', decision: 'approve' })).rejects.toThrow(
      InvalidTransitionError,
    );
    await expect(
      resubmitRequest(database.db, as(a.technical), envOf(database), { requestId: req.id }),
    ).rejects.toThrow(InvalidTransitionError);
  });

  it('refuses an approval of a step the request is no longer at', async () => {
    const req = await file();
    await expect(act(desk, { requestId: req.id, step: 'sign', decision: 'approve' })).rejects.toThrow(
      ConflictError,
    );
  });

  it("hides one institution's requests from another's contacts", async () => {
    const req = await file();
    await expect(getRequest(database.db, as(b.technical), req.id)).rejects.toThrow(NotFoundError);
    await expect(getRequest(database.db, as(b.head), 'not-a-uuid')).rejects.toThrow(NotFoundError);
    await expect(
      cancelRequest(database.db, as(b.technical), envOf(database), { requestId: req.id }),
    ).rejects.toThrow(NotFoundError);
    expect((await getRequest(database.db, as(a.security), req.id)).id).toBe(req.id);
    expect((await getRequest(database.db, as(noc), req.id)).id).toBe(req.id);
    const seenByB = await listRequests(database.db, as(b.technical), { limit: 100 });
    expect(seenByB.every((r) => r.institutionId === b.id)).toBe(true);
    expect(await listRequests(database.db, as(b.technical), { institutionId: a.id, limit: 100 })).toEqual([]);
  });

  it('lists newest first with keyset pages and filters', async () => {
    const all = await listRequests(database.db, as(noc), { institutionId: a.id, limit: 1000 });
    expect(all.length).toBeGreaterThan(5);
    const pages: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listRequests(database.db, as(a.technical), { after, limit: 3 });
      pages.push(...page.map((r) => r.id));
      if (page.length < 3) break;
      after = requestCursor(page.at(-1)!);
    }
    expect(pages).toEqual(all.map((r) => r.id));
    const done = await listRequests(database.db, as(noc), {
      status: 'completed',
      kind: 'test.flow',
      limit: 100,
    });
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((r) => r.status === 'completed')).toBe(true);
    expect(await listRequests(database.db, as(noc), { queue: 'probe', limit: 100 })).toEqual([]);
    expect((await listRequests(database.db, as(noc), { queue: 'test', limit: 100 })).length).toBe(all.length);
    await expect(listRequests(database.db, as(noc), { after: 'garbage', limit: 1 })).rejects.toThrow(
      ValidationError,
    );
  });
});
