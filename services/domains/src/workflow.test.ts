import { PolicyRefusalError } from '@guichet/core';
import { eq } from '@guichet/db';
import { actOnStep, fileRequest, getRequest, requestDocument, requests, resources } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactHandle, holderHandle } from './model.js';
import { domains, freeNames, letters } from './tables.js';
import { addMember, type Member, staff, startWorld, type World, waitFor } from './test/world.js';
import { DOMAIN_REGISTRATION } from './workflow.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const NS = [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }];

describe(`domains.registration on ${engine}`, () => {
  let w: World;
  let contrat: Member;
  beforeAll(async () => {
    w = await startWorld();
    contrat = await addMember(w.database, 'contrat');
  });
  afterAll(async () => {
    await w?.stop();
  });

  const file = (m: Member, name: string, extra: object = {}) =>
    fileRequest(w.database.db, m.tech, w.env, {
      kind: DOMAIN_REGISTRATION,
      institutionId: m.id,
      payload: { name, adminContactId: m.adminId, techContactIds: m.techIds, nameservers: NS, ...extra },
    });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const requestCount = async (m: Member) =>
    (await w.database.db.select().from(requests).where(eq(requests.institutionId, m.id))).length;

  it('refuses a name failing the charter with its rule, and files nothing', async () => {
    const m = await addMember(w.database, 'contrat');
    const cases: [string, string][] = [
      ['-abc.fr', 'charter.hyphen-edge'],
      ['ab--cd.fr', 'charter.hyphen-34'],
      [`${'a'.repeat(64)}.fr`, 'charter.length'],
      ['ab_c.fr', 'charter.characters'],
    ];
    for (const [name, rule] of cases) {
      const e = await refusal(file(m, name));
      expect(e).toBeInstanceOf(PolicyRefusalError);
      expect((e as PolicyRefusalError).rule).toBe(rule);
    }
    expect(await requestCount(m)).toBe(0);
    expect(await w.database.db.select().from(domains).where(eq(domains.institutionId, m.id))).toEqual([]);
  });

  it('two names filed at once under contract: exactly one is free, the other costs 75 €', async () => {
    const m = await addMember(w.database, 'contrat');
    const [a, b] = await Promise.all([file(m, 'premier-nom.fr'), file(m, 'second-nom.fr')]);
    const rows = await w.database.db.select().from(domains).where(eq(domains.institutionId, m.id));
    expect(rows.map((r) => r.priceCents).sort()).toEqual([0, 7500]);
    expect(rows.map((r) => r.pricing).sort()).toEqual(['contrat', 'first-free']);
    const free = await w.database.db.select().from(freeNames).where(eq(freeNames.institutionId, m.id));
    expect(free).toHaveLength(1);
    expect([a?.id, b?.id]).toHaveLength(2);
  });

  it('under tutelle every name is included', async () => {
    const m = await addMember(w.database, 'tutelle');
    await Promise.all([file(m, 'tutelle-a.fr'), file(m, 'tutelle-b.fr')]);
    const rows = await w.database.db.select().from(domains).where(eq(domains.institutionId, m.id));
    expect(rows.map((r) => [r.priceCents, r.pricing])).toEqual([
      [0, 'tutelle'],
      [0, 'tutelle'],
    ]);
  });

  it('goes charter → availability → head signature → desk → DNS check → NOC → registry → active', async () => {
    const r = await file(contrat, 'école-exemple.fr');
    expect(r.status).toBe('in_progress');
    let at = await waitFor(w, r.id, (x) => x.currentStep === 'signature');
    const doc = await requestDocument(
      w.database.db,
      w.env,
      await getRequest(w.database.db, contrat.head, r.id),
    );
    expect(doc?.text).toContain('Domain name: école-exemple.fr (xn--cole-exemple-9db.fr)');
    expect(doc?.text).toContain('Price: 0 € — free (the first name of an institution under contract)');
    // The technical contact may not sign; a stale hash is refused.
    await expect(
      actOnStep(w.database.db, contrat.tech, w.env, {
        requestId: r.id,
        step: 'signature',
        decision: 'approve',
        data: { documentHash: doc?.hash },
      }),
    ).rejects.toThrow();
    await expect(
      actOnStep(w.database.db, contrat.head, w.env, {
        requestId: r.id,
        step: 'signature',
        decision: 'approve',
        data: { documentHash: '0'.repeat(64) },
      }),
    ).rejects.toThrow(/changed since you read it/);
    await actOnStep(w.database.db, contrat.head, w.env, {
      requestId: r.id,
      step: 'signature',
      decision: 'approve',
      data: { documentHash: doc?.hash },
    });
    const [letter] = await w.database.db.select().from(letters).where(eq(letters.requestId, r.id));
    expect(letter).toMatchObject({ hash: doc?.hash, signedByName: 'Directrice Générale' });
    await actOnStep(w.database.db, staff(['desk']), w.env, {
      requestId: r.id,
      step: 'administrative',
      decision: 'approve',
    });
    at = await waitFor(w, r.id, (x) => x.currentStep === 'technical');
    await actOnStep(w.database.db, staff(['noc']), w.env, {
      requestId: r.id,
      step: 'technical',
      decision: 'approve',
    });
    at = await waitFor(w, r.id, (x) => x.status !== 'in_progress');
    expect(at.status).toBe('completed');
    const [row] = await w.database.db.select().from(domains).where(eq(domains.requestId, r.id));
    expect(row).toMatchObject({ state: 'active', name: 'xn--cole-exemple-9db.fr' });
    expect(row?.expiresAt).toBeInstanceOf(Date);
    const held = w.standin.state.domains.get('xn--cole-exemple-9db.fr');
    expect(held).toMatchObject({
      registrant: holderHandle(String(row?.id)),
      admin: contactHandle(contrat.adminId),
      techs: contrat.techIds.map(contactHandle),
      hosts: ['ns1.example.net', 'ns2.example.net'],
    });
    expect(w.standin.state.contacts.get(holderHandle(String(row?.id)))?.siren).toMatch(/^\d{9}(\d{5})?$/);
    const [res] = await w.database.db
      .select()
      .from(resources)
      .where(eq(resources.objectId, String(row?.id)));
    expect(res).toMatchObject({
      line: 'domains',
      type: 'domain',
      state: 'active',
      lineState: 'active',
      name: 'école-exemple.fr',
    });
  });

  it('returns a name the registry says is taken, and gives back its free slot', async () => {
    const m = await addMember(w.database, 'contrat');
    w.standin.state.domains.set('deja-pris.fr', {
      ...structuredClone(w.standin.state.domains.values().next().value!),
      name: 'deja-pris.fr',
    });
    const r = await file(m, 'deja-pris.fr');
    const back = await waitFor(w, r.id, (x) => x.status !== 'in_progress');
    expect(back).toMatchObject({ status: 'returned' });
    expect(back.reason).toMatch(/not available/);
    expect(await w.database.db.select().from(freeNames).where(eq(freeNames.institutionId, m.id))).toEqual([]);
    const [row] = await w.database.db.select().from(domains).where(eq(domains.requestId, r.id));
    expect(row?.state).toBe('deleted');
  });

  it('sends a reserved term to prior review: the NOC must enter AFNIC’s code', async () => {
    const m = await addMember(w.database, 'tutelle');
    const r = await file(m, 'paris.fr');
    await waitFor(w, r.id, (x) => x.currentStep === 'signature');
    const doc = await requestDocument(w.database.db, w.env, await getRequest(w.database.db, m.head, r.id));
    expect(doc?.text).toContain('Prior review: AFNIC reserves this term (City name)');
    await actOnStep(w.database.db, m.head, w.env, {
      requestId: r.id,
      step: 'signature',
      decision: 'approve',
      data: { documentHash: doc?.hash },
    });
    await actOnStep(w.database.db, staff(['desk']), w.env, {
      requestId: r.id,
      step: 'administrative',
      decision: 'approve',
    });
    await waitFor(w, r.id, (x) => x.currentStep === 'technical');
    await expect(
      actOnStep(w.database.db, staff(['noc']), w.env, {
        requestId: r.id,
        step: 'technical',
        decision: 'approve',
      }),
    ).rejects.toThrow(/authorisation code/);
  });
});
