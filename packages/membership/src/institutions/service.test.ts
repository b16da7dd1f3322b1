import { auditChanges } from '@guichet/audit';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendDraftVersion } from '../agreements/drafts.js';
import { renderVersion } from '../agreements/queries.js';
import { activateVersion, signVersion } from '../agreements/service.js';
import { luhnComplete } from '../model.js';
import { addSite, removeSite } from '../sites/service.js';
import { contactCtx, counts, desk, institutionInput, member, nextSiren, staffCtx } from '../test/fixtures.js';
import { getInstitution, listInstitutions, listSites } from './queries.js';
import { closeInstitution, createInstitution, updateInstitution } from './service.js';

/** The same identifier with its last digit changed: Luhn always notices. */
const typo = (id: string) => `${id.slice(0, -1)}${(Number(id.at(-1)) + 1) % 10}`;

describe(`institutions on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const refused = async (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('creates an institution, its sites and a draft agreement v1, with a change-log row for each write', async () => {
    const ctx = desk('req-create-1');
    const r = await createInstitution(
      database.db,
      ctx,
      institutionInput({ name: 'Université de Lyon-Example' }),
    );
    expect(r.institution).toMatchObject({
      name: 'Université de Lyon-Example',
      status: 'active',
      kind: 'tutelle',
    });
    expect(r.mainSite.main).toBe(true);
    expect(r.secondarySites.map((s) => s.name)).toEqual(['Annexe Nord', 'Annexe Sud']);
    expect(r.agreementVersion).toMatchObject({
      version: 1,
      status: 'draft',
      securityContactId: null,
      bandwidthMbps: 1000,
      secondarySiteIds: r.secondarySites.map((s) => s.id),
    });
    const log = await database.db
      .select()
      .from(auditChanges)
      .where(eq(auditChanges.requestId, 'req-create-1'));
    expect(log.map((l) => [l.action, l.objectType]).sort()).toEqual(
      [
        ['membership.createInstitution', 'AgreementVersion'],
        ['membership.createInstitution', 'Institution'],
        ['membership.createInstitution', 'Site'],
        ['membership.createInstitution', 'Site'],
        ['membership.createInstitution', 'Site'],
      ].sort(),
    );
    for (const l of log) expect(l).toMatchObject({ actor: 'staff:desk', institutionId: r.institution.id });
  });

  it.each([
    [
      'bandwidth −5',
      { agreement: { conventionRef: 'C', charterRef: 'C', bandwidthMbps: -5 } },
      ['input', 'agreement', 'bandwidthMbps'],
    ],
    [
      'a SIRET with a bad checksum',
      (s: string) => ({ siren: s, siret: typo(luhnComplete(`${s}0000`)) }),
      ['input', 'siret'],
    ],
    [
      'a SIRET not starting with the SIREN',
      (s: string) => ({ siren: s, siret: luhnComplete(`${nextSiren()}0001`) }),
      ['input', 'siret'],
    ],
    [
      'a SIREN with a bad checksum',
      (s: string) => ({ siren: `${s.slice(0, 8)}${(Number(s[8]) + 1) % 10}` }),
      ['input', 'siren'],
    ],
    [
      'a secondary site without a city',
      { secondarySites: [{ name: 'A', address: 'B', city: '' }] },
      ['input', 'secondarySites', 0, 'city'],
    ],
  ])('refuses %s with a ValidationError on the field, writing nothing', async (_what, over, path) => {
    const siren = nextSiren();
    const overrides = typeof over === 'function' ? over(siren) : over;
    const before = await counts(database);
    const e = await refused(createInstitution(database.db, desk(), institutionInput(overrides as never)));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues.map((i) => i.path)).toContainEqual(path);
    expect(await counts(database)).toEqual(before);
  });

  it('refuses a duplicate SIREN with a ConflictError naming it, writing nothing', async () => {
    const siren = nextSiren();
    await createInstitution(database.db, desk(), institutionInput({ siren }));
    const before = await counts(database);
    const e = await refused(createInstitution(database.db, desk(), institutionInput({ siren })));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe(`SIREN ${siren} is already registered`);
    expect(await counts(database)).toEqual(before);
  });

  it('refuses a duplicate short name, whatever its case', async () => {
    await createInstitution(database.db, desk(), institutionInput({ shortName: 'IRE-X' }));
    const e = await refused(createInstitution(database.db, desk(), institutionInput({ shortName: 'ire-x' })));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toMatch(/short name "ire-x" is already used/);
  });

  it('lets only the agreement desk (or an admin) with a write credential create, change or close', async () => {
    const m = await member(database.db);
    const security = await contactCtx(database.db, m.security.id);
    const technical = await contactCtx(database.db, m.technical.id);
    for (const ctx of [security, technical, staffCtx(['noc']), staffCtx(['desk'], 'read')]) {
      expect(await refused(createInstitution(database.db, ctx, institutionInput()))).toBeInstanceOf(
        ForbiddenError,
      );
      expect(await refused(updateInstitution(database.db, ctx, m.id, { name: 'X' }))).toBeInstanceOf(
        ForbiddenError,
      );
      expect(await refused(closeInstitution(database.db, ctx, m.id))).toBeInstanceOf(ForbiddenError);
      expect(
        await refused(addSite(database.db, ctx, { institutionId: m.id, name: 'N', address: 'a', city: 'c' })),
      ).toBeInstanceOf(ForbiddenError);
    }
    await createInstitution(database.db, staffCtx(['admin']), institutionInput());
  });

  it('updates name, short name and collector, recording before and after', async () => {
    const m = await member(database.db);
    const ctx = desk('req-update-1');
    const after = await updateInstitution(database.db, ctx, m.id, { collector: 'Collecte Bretagne' });
    expect(after.collector).toBe('Collecte Bretagne');
    const [row] = await database.db
      .select()
      .from(auditChanges)
      .where(eq(auditChanges.requestId, 'req-update-1'));
    expect(row).toMatchObject({
      action: 'membership.updateInstitution',
      objectType: 'Institution',
      objectId: m.id,
    });
    expect(row?.before).toMatchObject({ collector: 'Collecte Example' });
    expect(await refused(updateInstitution(database.db, desk(), m.id, {}))).toBeInstanceOf(ValidationError);
  });

  it('closes an institution once: pending versions are withdrawn; closing again changes nothing', async () => {
    const m = await member(database.db);
    const closed = await closeInstitution(database.db, desk(), m.id);
    expect(closed.status).toBe('closed');
    const before = await counts(database);
    expect((await closeInstitution(database.db, desk(), m.id)).status).toBe('closed');
    expect(await counts(database)).toEqual(before);
    const e = await refused(
      addSite(database.db, desk(), { institutionId: m.id, name: 'N', address: 'a', city: 'c' }),
    );
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect(
      await refused(closeInstitution(database.db, desk(), '7d1b0a4e-0000-4000-8000-000000000000')),
    ).toBeInstanceOf(NotFoundError);
  });

  describe('sites', () => {
    it('adds a site; a second one with the same name is a ConflictError', async () => {
      const m = await member(database.db);
      const site = await addSite(database.db, desk(), {
        institutionId: m.id,
        name: 'Station marine',
        address: 'Quai',
        city: 'Roscoff',
      });
      expect(site.main).toBe(false);
      const e = await refused(
        addSite(database.db, desk(), {
          institutionId: m.id,
          name: 'STATION MARINE',
          address: 'x',
          city: 'y',
        }),
      );
      expect(e).toBeInstanceOf(ConflictError);
    });

    it('never removes the main site nor a site the active agreement lists; removes the others', async () => {
      const m = await member(database.db);
      await amendDraftVersion(database.db, desk(), m.agreementVersion.id, {
        securityContactId: m.security.id,
      });
      const head = await contactCtx(database.db, m.head.id);
      const { hash } = await renderVersion(database.db, m.agreementVersion.id);
      await signVersion(database.db, head, m.agreementVersion.id, { documentHash: hash });
      await activateVersion(database.db, desk(), m.agreementVersion.id);
      const extra = await addSite(database.db, desk(), {
        institutionId: m.id,
        name: 'Extra',
        address: 'a',
        city: 'c',
      });

      const main = await refused(removeSite(database.db, desk(), m.mainSite.id));
      expect(main).toMatchObject({ rule: 'main-site' });
      const listed = await refused(removeSite(database.db, desk(), m.secondarySites[0]!.id));
      expect(listed).toBeInstanceOf(PolicyRefusalError);
      expect(listed).toMatchObject({ rule: 'site-in-agreement' });

      const removed = await removeSite(database.db, desk(), extra.id);
      expect(removed.removedAt).not.toBeNull();
      expect((await listSites(database.db, m.id)).map((s) => s.name)).toEqual([
        'Campus principal',
        'Annexe Nord',
        'Annexe Sud',
      ]);
      // The name is free again.
      await addSite(database.db, desk(), { institutionId: m.id, name: 'Extra', address: 'b', city: 'd' });
    });
  });

  describe('listing', () => {
    it('pages by name with a keyset cursor and filters by kind, status, collector and search', async () => {
      const tag = `Zz${Date.now()}`;
      for (const [i, kind] of (['tutelle', 'contrat', 'contrat'] as const).entries()) {
        await createInstitution(
          database.db,
          desk(),
          institutionInput({ name: `${tag} ${i}`, kind, collector: `${tag}-col` }),
        );
      }
      const staff = staffCtx(['noc']).actor;
      const page1 = await listInstitutions(database.db, staff, { search: tag.toLowerCase() }, undefined, 2);
      expect(page1.map((r) => r.name)).toEqual([`${tag} 0`, `${tag} 1`]);
      const { institutionCursor } = await import('./queries.js');
      const page2 = await listInstitutions(
        database.db,
        staff,
        { search: tag },
        institutionCursor(page1[1]!),
        2,
      );
      expect(page2.map((r) => r.name)).toEqual([`${tag} 2`]);
      expect(
        (
          await listInstitutions(
            database.db,
            staff,
            { collector: `${tag}-COL`, kind: 'contrat' },
            undefined,
            10,
          )
        ).length,
      ).toBe(2);
      expect((await listInstitutions(database.db, staff, { search: '%' }, undefined, 100)).length).toBe(0);
      await expect(listInstitutions(database.db, staff, {}, 'garbage', 2)).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('shows a contact only their own institution, and nothing of another', async () => {
      const a = await member(database.db);
      const b = await member(database.db);
      const techB = (await contactCtx(database.db, b.technical.id)).actor;
      const mine = await listInstitutions(database.db, techB, {}, undefined, 100);
      expect(mine.map((r) => r.id)).toEqual([b.id]);
      expect(await getInstitution(database.db, techB, a.id)).toBeUndefined();
      expect((await getInstitution(database.db, techB, b.id))?.id).toBe(b.id);
      expect(await listInstitutions(database.db, { kind: 'anonymous' }, {}, undefined, 100)).toEqual([]);
    });
  });
});
