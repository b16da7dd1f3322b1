import { eq } from '@guichet/db';
import { actOnStep, fileRequest } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactHandle } from './model.js';
import { domains } from './tables.js';
import {
  addMember,
  type Member,
  registerActive,
  staff,
  startWorld,
  type World,
  waitFor,
} from './test/world.js';
import { DOMAIN_CHANGE } from './workflow-changes.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe(`domains.change on ${engine}`, () => {
  let w: World;
  let m: Member;
  let domainId: string;
  beforeAll(async () => {
    w = await startWorld();
    m = await addMember(w.database, 'tutelle');
    const requestId = await registerActive(w, m, 'changeable.fr');
    const [row] = await w.database.db.select().from(domains).where(eq(domains.requestId, requestId));
    domainId = String(row?.id);
  });
  afterAll(async () => {
    await w?.stop();
  });

  const change = async (payload: object, desk = false) => {
    const db = w.database.db;
    const r = await fileRequest(db, m.tech, w.env, {
      kind: DOMAIN_CHANGE,
      institutionId: m.id,
      payload: { domainId, ...payload },
    });
    await waitFor(w, r.id, (x) => x.currentStep === (desk ? 'administrative' : 'technical'));
    if (desk)
      await actOnStep(db, staff(['desk']), w.env, {
        requestId: r.id,
        step: 'administrative',
        decision: 'approve',
      });
    await waitFor(w, r.id, (x) => x.currentStep === 'technical');
    await actOnStep(db, staff(['noc']), w.env, { requestId: r.id, step: 'technical', decision: 'approve' });
    return waitFor(w, r.id, (x) => x.status !== 'in_progress');
  };
  const row = async () => (await w.database.db.select().from(domains).where(eq(domains.id, domainId)))[0];
  const held = () => w.standin.state.domains.get('changeable.fr');

  it('changes the name servers and DS at the registry (add/rem)', async () => {
    const ds = [{ keyTag: 11, algorithm: 13, digestType: 2, digest: 'AA'.repeat(32) }];
    const r = await change({
      operation: 'nameservers',
      nameservers: [{ name: 'ns2.example.net' }, { name: 'ns9.example.org' }],
      ds,
    });
    expect(r.status).toBe('completed');
    expect(held()?.hosts).toEqual(['ns2.example.net', 'ns9.example.org']);
    expect(held()?.ds).toEqual([{ keyTag: 11, alg: 13, digestType: 2, digest: 'AA'.repeat(32) }]);
    expect((await row())?.nameservers.map((n) => n.name)).toEqual(['ns2.example.net', 'ns9.example.org']);
  });

  it('changes the contacts', async () => {
    const r = await change({
      operation: 'contacts',
      adminContactId: m.techIds[0],
      techContactIds: [m.adminId],
    });
    expect(r.status).toBe('completed');
    expect(held()).toMatchObject({
      admin: contactHandle(String(m.techIds[0])),
      techs: [contactHandle(m.adminId)],
    });
  });

  it('changes the holder through frnic:trade, after the desk', async () => {
    const r = await change(
      {
        operation: 'holder',
        holder: {
          name: 'Fondation Nouvelle',
          legalStatus: 'association',
          siren: '775684764',
          country: 'FR',
          city: 'Paris',
        },
      },
      true,
    );
    expect(r.status).toBe('completed');
    const registrant = held()?.registrant ?? '';
    expect(w.standin.state.contacts.get(registrant)?.siren).toBe('775684764');
    expect((await row())?.holder.name).toBe('Fondation Nouvelle');
  });

  it('renews, deletes into redemption and restores', async () => {
    const before = (await row())?.expiresAt?.getTime() ?? 0;
    expect((await change({ operation: 'renewal', periodYears: 2 })).status).toBe('completed');
    expect(((await row())?.expiresAt?.getTime() ?? 0) - before).toBeGreaterThan(700 * 86_400_000);
    expect((await change({ operation: 'deletion' })).status).toBe('completed');
    expect(await row()).toMatchObject({ state: 'redemption' });
    expect(held()?.redemptionUntil).toBeInstanceOf(Date);
    expect((await change({ operation: 'restore' })).status).toBe('completed');
    expect(await row()).toMatchObject({ state: 'active', redemptionUntil: null });
    expect(held()?.redemptionUntil).toBeUndefined();
  });

  it('refuses a restore of an active name at filing', async () => {
    await expect(
      fileRequest(w.database.db, m.tech, w.env, {
        kind: DOMAIN_CHANGE,
        institutionId: m.id,
        payload: { domainId, operation: 'restore' },
      }),
    ).rejects.toThrow(/cannot go from active/);
  });
});
