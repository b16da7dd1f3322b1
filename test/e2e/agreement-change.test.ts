import { type SinkMessage, type SmtpSink, startSmtpSink } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactAs as as, Guichet, type Institution, withRole } from './client.js';
import { type ApiProcess, freshStore, gql, type Store, startApi, until, viewerKindFrom } from './harness.js';

// An agreement change as people make it, against the real api over HTTP: a technical contact
// files it through the federation proxy, the head of institution signs the document they read,
// the agreement desk validates it; mails go to a real SMTP server on loopback. Runs on the
// engine of the suite: a fresh database on TEST_DATABASE_URL's server, else PGlite in a temp dir.

const PUBLIC_URL = 'http://guichet.test';
const KIND = 'membership.agreementChange';
const DESK = 'staff:demo';

let sink: SmtpSink;
let store: Store;
let api: ApiProcess;
let g: Guichet;
let inst: Institution;
let other: Institution;

const mailsOf = (requestId: string, template: string) => (ms: SinkMessage[]) =>
  ms.filter(
    (m) => m.headers['x-guichet-request'] === requestId && m.headers['x-guichet-template'] === template,
  );

/** Waits for the `nth` mail of `template` about the request; every one of them went to `to` only. */
async function expectMail(requestId: string, template: string, to: string, nth = 1) {
  const pick = mailsOf(requestId, template);
  await sink.waitFor((ms) => pick(ms).length >= nth, 60_000);
  const mails = pick(sink.messages);
  expect(mails.map((m) => m.to)).toEqual(Array(nth).fill([to.toLowerCase()]));
  const mail = mails[nth - 1]!;
  expect(mail.subject).toContain(`${KIND} (${inst.name})`);
  expect(mail.text).toContain(requestId);
  expect(mail.text).toContain(`${PUBLIC_URL}/requests/${requestId}`);
  expect(mail.headers).toMatchObject({
    references: `<request.${requestId}@guichet.test>`,
    'auto-submitted': 'auto-generated',
  });
  return mail;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  store = await freshStore();
  api = await startApi({
    ...store.env,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Guichet <guichet@guichet.test>',
    PUBLIC_URL,
    FEDERATION_TRUSTED_PROXIES: '127.0.0.1',
  });
  g = new Guichet(api.url, { token: api.token });
  const all = await g.institutions();
  // The first demo institution routing is not open to yet, so that opening it is a real change
  // (routing asks nothing more of the agreement; eduroam needs its contact and charter, which
  // services/eduroam's own tests cover).
  inst = all.find((i) => !i.agreement.services.includes('ROUTING'))!;
  other = all.find((i) => i.id !== inst.id)!;
}, 120_000);

afterAll(async () => {
  const stopped = await api?.stop();
  await sink?.stop();
  await store?.drop();
  expect(stopped).toEqual({ clean: true, left: false });
}, 60_000);

describe(`agreement change over HTTP (${process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('technical contact files, head signs the document, desk validates: new agreement in force', async () => {
    const [tech, head, security] = [
      withRole(inst, 'TECHNICAL'),
      withRole(inst, 'HEAD'),
      withRole(inst, 'SECURITY'),
    ];
    const [byTech, byHead] = [`contact:${tech.id}`, `contact:${head.id}`];

    // The federation header counts only from the trusted proxy: from any other address it is ignored.
    expect(await viewerKindFrom(api.url, '127.0.0.2', tech.eppn)).toBe('ANONYMOUS');
    expect(await viewerKindFrom(api.url, '127.0.0.1', tech.eppn)).toBe('CONTACT');

    // Filed through the federation proxy (eppn header from 127.0.0.1), as the technical contact.
    const filed = await g.act(as(tech), 'requestAgreementChange', 'RequestAgreementChangeInput', {
      institutionId: inst.id,
      bandwidthMbps: 2500,
      activateServices: ['ROUTING'],
    });
    expect(filed.__typename).toBe('RequestAgreementChangePayload');
    const req = filed.request!;
    expect(req).toMatchObject({ status: 'IN_PROGRESS', currentStep: 'signature', pendingActor: 'HEAD' });

    // "received" to the technical contact, "signature needed" to the head only.
    expect((await expectMail(req.id, 'received', tech.email)).subject).toContain('Request received');
    expect((await expectMail(req.id, 'signature_needed', head.email)).subject).toContain('Signature needed');

    // The security contact only reads: refused, and nothing written.
    const before = await g.requestCount(inst.id);
    const refused = await gql(
      api.url,
      as(security),
      'mutation($i: RequestAgreementChangeInput!) { requestAgreementChange(input: $i) { __typename } }',
      { i: { institutionId: inst.id, bandwidthMbps: 100 } },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await g.requestCount(inst.id)).toBe(before);
    expect(await g.changes({ requestId: refused.requestId })).toEqual([]);

    // Another institution's technical contact learns nothing of it; its own does.
    const stranger = as(withRole(other, 'TECHNICAL'));
    expect(await g.request(stranger, req.id)).toBeNull();
    const ticket = (await g.ticketOf(inst.id, req.id))!;
    expect(await g.ticket(stranger, ticket.id)).toBeNull();
    expect(await g.ticket(as(tech), ticket.id)).toEqual({ id: ticket.id });

    // The SLA clocks stand still while the head has the pen.
    const waiting = await until(
      async () => {
        const t = await g.ticketOf(inst.id, req.id);
        return t && t.sla.pausedSeconds >= 1 ? t : undefined;
      },
      10_000,
      'a pause of at least 1 s',
    );
    expect(waiting).toMatchObject({
      queue: 'membership',
      state: 'WAITING',
      kind: KIND,
      sla: { paused: true },
    });

    // The head reads the draft and signs its hash; a wrong hash first is a typed conflict.
    const draft = (await g.request(as(head), req.id))!;
    const hash = draft.document!.hash;
    expect(draft.agreementVersion).toMatchObject({
      status: 'DRAFT',
      bandwidthMbps: 2500,
      documentHash: hash,
    });
    expect(draft.document!.text).toContain('2500');
    const sign = (documentHash: string) =>
      g.act(as(head), 'signRequest', 'SignRequestInput', { requestId: req.id, documentHash });
    const wrong = await sign('f'.repeat(64));
    expect(wrong).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await g.request(g.admin, req.id)).toMatchObject({
      currentStep: 'signature',
      pendingActor: 'HEAD',
    });
    const signed = await sign(hash);
    expect(signed.request).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'validation',
      pendingActor: 'DESK',
    });

    // The agreement desk validates.
    const approved = await g.act(g.admin, 'approveRequestStep', 'ApproveRequestStepInput', {
      requestId: req.id,
      step: 'validation',
    });
    expect(approved.request).toMatchObject({ status: 'COMPLETED', currentStep: null, pendingActor: null });

    // The request's record: each step, who acted, under which of our HTTP requests.
    const done = (await g.request(g.admin, req.id))!;
    expect(done.steps.map((s) => [s.name, s.state, s.actedBy])).toEqual([
      ['draft', 'DONE', null],
      ['signature', 'DONE', byHead],
      ['validation', 'DONE', DESK],
    ]);
    expect(done.history.map((e) => [e.type, e.step, e.actor, e.httpRequestId])).toEqual([
      ['filed', null, byTech, filed.requestId],
      ['submitted', null, byTech, filed.requestId],
      ['step_completed', 'draft', byTech, filed.requestId],
      ['step_started', 'signature', byTech, filed.requestId],
      ['step_completed', 'signature', byHead, signed.requestId],
      ['step_started', 'validation', byHead, signed.requestId],
      ['step_completed', 'validation', DESK, approved.requestId],
      ['completed', null, DESK, approved.requestId],
    ]);

    // The agreement in force is the new version, signed by the head with the hash they read.
    const now = await g.agreementOf(g.admin, inst.id);
    expect(now.agreement).toMatchObject({
      id: done.agreementVersion.id,
      version: inst.agreement.version + 1,
      status: 'ACTIVE',
      bandwidthMbps: 2500,
      documentHash: hash,
      signedByName: head.name,
      signedBy: { id: head.id },
      activatedBy: DESK,
    });
    expect(new Set(now.agreement.services)).toEqual(new Set([...inst.agreement.services, 'ROUTING']));
    expect(now.agreementVersions).toContainEqual({ version: inst.agreement.version, status: 'SUPERSEDED' });
    // As the institution sees it: routing is open to it now.
    expect((await g.agreementOf(as(tech), inst.id)).agreement.services).toContain('ROUTING');

    // The ticket: resolved in the membership queue; due times moved forward by the pause.
    const t = (await g.ticketOf(inst.id, req.id))!;
    expect(t).toMatchObject({
      id: ticket.id,
      queue: 'membership',
      state: 'RESOLVED',
      sla: { paused: false },
    });
    expect(t.resolvedAt).not.toBeNull();
    expect(t.firstResponseAt).not.toBeNull();
    expect(t.sla.pausedSeconds).toBeGreaterThanOrEqual(1);
    const moved = (due: string, minutes: number) =>
      Date.parse(due) - Date.parse(t.createdAt) - minutes * 60_000 - t.sla.pausedSeconds * 1000;
    expect(Math.abs(moved(t.sla.resolutionDueAt, 10 * 24 * 60))).toBeLessThanOrEqual(1000);
    expect(Math.abs(moved(t.sla.responseDueAt, 8 * 60))).toBeLessThanOrEqual(1000);
    await expectMail(req.id, 'completed', tech.email);
    // Guichet's own record of those mails: each one accepted by the relay, under the Message-ID it got.
    const notes = await until(
      async () => {
        const n = await g.notifications(req.id);
        return n.every((x) => x.status === 'SENT') && n;
      },
      10_000,
      'notifications sent',
    );
    const sent = sink.messages.filter((m) => m.headers['x-guichet-request'] === req.id);
    expect(new Set(notes.map((n) => `${n.template} ${n.recipient} ${n.messageId}`))).toEqual(
      new Set(sent.map((m) => `${m.headers['x-guichet-template']!.toUpperCase()} ${m.to[0]} ${m.messageId}`)),
    );

    // The change log: each call's writes, by the one who made the call, under its request id.
    const calls = [
      [filed.requestId, byTech, 'workflow.fileRequest', 'membership.createDraftVersion'],
      [signed.requestId, byHead, 'workflow.approveRequest', 'membership.signVersion'],
      [approved.requestId, DESK, 'workflow.approveRequest', 'membership.activateVersion'],
    ] as const;
    const ofInstitution = new Set((await g.changes({ institutionId: inst.id })).map((c) => c.requestId));
    for (const [rid, actor, ...actions] of calls) {
      const rows = await g.changes({ requestId: rid });
      expect(rows.map((c) => c.action)).toEqual(expect.arrayContaining(actions));
      expect(new Set(rows.map((c) => c.actor))).toEqual(new Set([actor]));
      expect(ofInstitution).toContain(rid);
    }
    expect(await g.changes({ requestId: wrong.requestId })).toEqual([]);
  }, 120_000);

  it('the desk returns a change with a reason; amended and resubmitted, it waits for the head again', async () => {
    const [tech, head] = [withRole(inst, 'TECHNICAL'), withRole(inst, 'HEAD')];
    const filed = await g.act(as(tech), 'requestAgreementChange', 'RequestAgreementChangeInput', {
      institutionId: inst.id,
      bandwidthMbps: 3000,
    });
    expect(filed.__typename).toBe('RequestAgreementChangePayload');
    const id = filed.request!.id;
    const first = (await g.request(as(head), id))!;
    const signed = await g.act(as(head), 'signRequest', 'SignRequestInput', {
      requestId: id,
      documentHash: first.document!.hash,
    });
    expect(signed.request).toMatchObject({ currentStep: 'validation' });

    const reason = 'La fiche débit doit citer le lien de secours / the sheet must name the backup link';
    const returned = await g.act(g.admin, 'returnRequest', 'ReturnRequestInput', {
      requestId: id,
      step: 'validation',
      reason,
    });
    expect(returned.request).toMatchObject({ status: 'RETURNED', reason, pendingActor: null });
    expect((await expectMail(id, 'returned', tech.email)).text).toContain(reason);
    expect((await g.ticketOf(inst.id, id))!.state).toBe('WAITING');
    expect(await g.versionStatus(first.agreementVersion.id)).toBe('WITHDRAWN');

    const amended = await g.act(as(tech), 'amendRequest', 'AmendRequestInput', {
      requestId: id,
      revision: returned.request!.revision,
      payload: JSON.stringify({ bandwidthMbps: 3500 }),
    });
    expect(amended.request).toMatchObject({ status: 'RETURNED' });
    const again = await g.act(as(tech), 'resubmitRequest', 'SubmitRequestInput', {
      requestId: id,
      revision: amended.request!.revision,
    });
    expect(again.request).toMatchObject({
      status: 'IN_PROGRESS',
      currentStep: 'signature',
      pendingActor: 'HEAD',
    });

    // A new draft for the head to sign: the signature on the returned one does not carry over.
    const now = (await g.request(as(head), id))!;
    expect(now.agreementVersion).toMatchObject({ status: 'DRAFT', bandwidthMbps: 3500 });
    expect(now.agreementVersion.id).not.toBe(first.agreementVersion.id);
    expect(now.document!.hash).not.toBe(first.document!.hash);
    expect(now.steps.map((s) => [s.name, s.state, s.pass])).toEqual([
      ['draft', 'DONE', 2],
      ['signature', 'PENDING', 2],
      ['validation', 'NOT_STARTED', 2],
    ]);
    await expectMail(id, 'signature_needed', head.email, 2);
    expect((await g.ticketOf(inst.id, id))!.state).toBe('WAITING');
  }, 120_000);

  it('logged no error-level line', () => {
    const errors = api.logLines().filter((l) => l.level >= 50);
    expect(errors, api.stderr()).toEqual([]);
  });
});
