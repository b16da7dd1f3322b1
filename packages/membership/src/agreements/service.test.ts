import { auditChanges } from '@guichet/audit';
import {
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRole, removeContact, updateContact } from '../contacts/service.js';
import { addSite, removeSite } from '../sites/service.js';
import { contactCtx, counts, desk, member, staffCtx } from '../test/fixtures.js';
import { amendDraftVersion, createDraftVersion } from './drafts.js';
import {
  currentAgreement,
  getAgreementVersion,
  isServiceOpen,
  listAgreementVersions,
  renderVersion,
} from './queries.js';
import { activateVersion, signVersion, withdrawVersion } from './service.js';

describe(`agreements on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
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

  /** A member whose version 1 names its security contact, signed by its head and activated. */
  async function activeMember() {
    const m = await member(database.db);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    await signAndActivate(m.head.id, m.agreementVersion.id);
    return m;
  }
  async function sign(headId: string, versionId: string) {
    const { hash } = await renderVersion(database.db, versionId);
    return signVersion(database.db, await contactCtx(database.db, headId), versionId, { documentHash: hash });
  }
  async function signAndActivate(headId: string, versionId: string) {
    await sign(headId, versionId);
    return activateVersion(database.db, desk(), versionId);
  }

  it('runs draft → signed → active, recording who signed what and who validated', async () => {
    const m = await member(database.db);
    expect(await isServiceOpen(database.db, m.id, 'ipam')).toBe(false);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    const { text, hash } = await renderVersion(database.db, m.agreementVersion.id);
    expect(text).toContain('Security contact: Sophie Secu <sophie.secu@');
    const headCtx = await contactCtx(database.db, m.head.id);
    const signed = await signVersion(
      database.db,
      { ...headCtx, requestId: 'req-sign-1' },
      m.agreementVersion.id,
      { documentHash: hash.toUpperCase() },
    );
    expect(signed).toMatchObject({
      status: 'signed',
      documentHash: hash,
      signedByContactId: m.head.id,
      signedByName: 'Claire Head',
      signedDocument: text,
    });
    expect(signed.signedAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(await isServiceOpen(database.db, m.id, 'ipam')).toBe(false); // signed is not yet in force
    const active = await activateVersion(database.db, desk('req-activate-1'), m.agreementVersion.id);
    expect(active).toMatchObject({ status: 'active', activatedBy: 'staff:desk' });
    expect((await currentAgreement(database.db, m.id))?.id).toBe(m.agreementVersion.id);
    expect(await isServiceOpen(database.db, m.id, 'ipam')).toBe(true);
    expect(await isServiceOpen(database.db, m.id, 'eduroam')).toBe(false);
    const [signLog] = await database.db
      .select()
      .from(auditChanges)
      .where(eq(auditChanges.requestId, 'req-sign-1'));
    expect(signLog).toMatchObject({
      action: 'membership.signVersion',
      actor: `contact:${m.head.id}`,
      institutionId: m.id,
    });
    const [actLog] = await database.db
      .select()
      .from(auditChanges)
      .where(eq(auditChanges.requestId, 'req-activate-1'));
    expect(actLog).toMatchObject({
      action: 'membership.activateVersion',
      actor: 'staff:desk',
      objectType: 'AgreementVersion',
    });
  });

  it('refuses a signature over a document that changed since it was read (ConflictError)', async () => {
    const m = await member(database.db);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    const { hash } = await renderVersion(database.db, m.agreementVersion.id);
    await updateContact(database.db, desk(), m.security.id, { email: 'rssi@example.fr' });
    const before = await counts(database);
    const e = await refused(
      signVersion(database.db, await contactCtx(database.db, m.head.id), m.agreementVersion.id, {
        documentHash: hash,
      }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe('the document changed since you read it');
    expect(await counts(database)).toEqual(before);
    const bad = await refused(
      signVersion(database.db, await contactCtx(database.db, m.head.id), m.agreementVersion.id, {
        documentHash: 'abc',
      }),
    );
    expect((bad as ValidationError).issues[0]?.path).toEqual(['input', 'documentHash']);
  });

  it('lets only the head of the institution, with a write credential, sign', async () => {
    const m = await member(database.db);
    const other = await member(database.db);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    const { hash } = await renderVersion(database.db, m.agreementVersion.id);
    const id = m.agreementVersion.id;
    for (const ctx of [
      await contactCtx(database.db, m.technical.id),
      await contactCtx(database.db, m.head.id, 'read'),
      staffCtx(['admin']),
    ]) {
      expect(await refused(signVersion(database.db, ctx, id, { documentHash: hash }))).toBeInstanceOf(
        ForbiddenError,
      );
    }
    // The head of another institution does not even learn the version exists.
    const e = await refused(
      signVersion(database.db, await contactCtx(database.db, other.head.id), id, { documentHash: hash }),
    );
    expect(e).toBeInstanceOf(NotFoundError);
    expect((await getAgreementVersion(database.db, id))?.status).toBe('draft');
  });

  it('refuses to sign a charter without a security contact', async () => {
    const m = await member(database.db);
    const e = await refused(sign(m.head.id, m.agreementVersion.id));
    expect(e).toMatchObject({ rule: 'security-contact-required' });
  });

  it('lets only the desk activate, and only a signed version', async () => {
    const m = await member(database.db);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    expect(await refused(activateVersion(database.db, desk(), m.agreementVersion.id))).toBeInstanceOf(
      InvalidTransitionError,
    );
    await sign(m.head.id, m.agreementVersion.id);
    for (const ctx of [await contactCtx(database.db, m.head.id), staffCtx(['noc'])]) {
      expect(await refused(activateVersion(database.db, ctx, m.agreementVersion.id))).toBeInstanceOf(
        ForbiddenError,
      );
    }
  });

  it('activating a new version supersedes the previous one; services follow only the active version', async () => {
    const m = await activeMember();
    const v2 = await createDraftVersion(database.db, await contactCtx(database.db, m.technical.id), m.id, {
      bandwidthMbps: 10_000,
      activateServices: ['federation'],
      deactivateServices: ['routing'],
    });
    expect(v2).toMatchObject({
      version: 2,
      status: 'draft',
      bandwidthMbps: 10_000,
      securityContactId: m.security.id,
    });
    expect(await isServiceOpen(database.db, m.id, 'federation')).toBe(false);
    expect(await isServiceOpen(database.db, m.id, 'routing')).toBe(true);
    await sign(m.head.id, v2.id);
    expect(await isServiceOpen(database.db, m.id, 'federation')).toBe(false);
    await activateVersion(database.db, desk(), v2.id);
    expect(await isServiceOpen(database.db, m.id, 'federation')).toBe(true);
    expect(await isServiceOpen(database.db, m.id, 'routing')).toBe(false);
    const versions = await listAgreementVersions(database.db, m.id);
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
  });

  it('opens eduroam only with its charter: an eduroam contact and the policy, both in the signed text', async () => {
    const m = await activeMember();
    const tech = await contactCtx(database.db, m.technical.id);
    const without = await refused(
      createDraftVersion(database.db, tech, m.id, { activateServices: ['eduroam'] }),
    );
    expect(without).toBeInstanceOf(ValidationError);
    expect((without as ValidationError).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'input.eduroamContactId',
      'input.eduroamPolicy',
    ]);
    const notEduroam = await refused(
      createDraftVersion(database.db, tech, m.id, {
        activateServices: ['eduroam'],
        eduroamContactId: m.security.id,
        eduroamPolicy: 'eduroam SD v2.8',
      }),
    );
    expect((notEduroam as ValidationError).issues).toEqual([
      { path: ['input', 'eduroamContactId'], message: expect.stringMatching(/eduroam role/) },
    ]);
    await assignRole(database.db, desk(), m.security.id, 'eduroam');
    const v2 = await createDraftVersion(database.db, tech, m.id, {
      activateServices: ['eduroam'],
      eduroamContactId: m.security.id,
      eduroamPolicy: 'eduroam SD v2.8',
    });
    const { text } = await renderVersion(database.db, v2.id);
    expect(text).toContain('4. Charte eduroam (eduroam charter)');
    expect(text).toContain('   Policy: eduroam SD v2.8');
    expect(text).toMatch(/eduroam contact: Sophie Secu <sophie\.secu@/);
    const signed = await sign(m.head.id, v2.id);
    expect(signed.signedDocument).toContain('Policy: eduroam SD v2.8');
    await activateVersion(database.db, desk(), v2.id);
    expect(await isServiceOpen(database.db, m.id, 'eduroam')).toBe(true);
    // Closing eduroam clears its terms; a version without eduroam renders without the section.
    const v3 = await createDraftVersion(database.db, tech, m.id, { deactivateServices: ['eduroam'] });
    expect(v3).toMatchObject({ eduroamContactId: null, eduroamPolicy: null });
    expect((await renderVersion(database.db, v3.id)).text).not.toContain('Charte eduroam');
  });

  it('refuses a draft that changes nothing, a second pending draft, and bad references — writing nothing', async () => {
    const m = await activeMember();
    const other = await member(database.db);
    const before = await counts(database);
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ bandwidthMbps: 1000 }, ['input']],
      [{ bandwidthMbps: -5 }, ['input', 'bandwidthMbps']],
      [
        { secondarySiteIds: [m.secondarySites[0]!.id, '8b7c1d2e-0000-4000-8000-000000000000'] },
        ['input', 'secondarySiteIds', 1],
      ],
      [{ secondarySiteIds: [other.secondarySites[0]!.id] }, ['input', 'secondarySiteIds', 0]],
      [{ secondarySiteIds: [m.mainSite.id] }, ['input', 'secondarySiteIds', 0]],
      [{ securityContactId: m.technical.id }, ['input', 'securityContactId']],
      [{ securityContactId: other.security.id }, ['input', 'securityContactId']],
    ];
    for (const [changes, path] of cases) {
      const e = await refused(createDraftVersion(database.db, desk(), m.id, changes));
      expect(e, JSON.stringify(changes)).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).toContainEqual(path);
    }
    expect(await counts(database)).toEqual(before);
    await createDraftVersion(database.db, desk(), m.id, { bandwidthMbps: 2000 });
    const e = await refused(createDraftVersion(database.db, desk(), m.id, { bandwidthMbps: 3000 }));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe('a change to this agreement is already pending');
  });

  it('lets a new site into the agreement through a signed version, then keeps it', async () => {
    const m = await activeMember();
    const site = await addSite(database.db, desk(), {
      institutionId: m.id,
      name: 'Station marine',
      address: 'Quai',
      city: 'Roscoff',
    });
    const v2 = await createDraftVersion(database.db, desk(), m.id, {
      secondarySiteIds: [...m.secondarySites.map((s) => s.id), site.id],
    });
    expect((await renderVersion(database.db, v2.id)).text).toContain('- Station marine; Quai; Roscoff');
    await signAndActivate(m.head.id, v2.id);
    expect(await refused(removeSite(database.db, desk(), site.id))).toMatchObject({
      rule: 'site-in-agreement',
    });
  });

  it('keeps the signed text: a later change of the security contact’s email does not alter it', async () => {
    const m = await activeMember();
    const signed = await renderVersion(database.db, m.agreementVersion.id);
    await updateContact(database.db, desk(), m.security.id, { email: 'new-rssi@example.fr' });
    expect(await renderVersion(database.db, m.agreementVersion.id)).toEqual(signed);
  });

  it('refuses to activate a signed version whose security contact has gone since', async () => {
    const m = await activeMember();
    const newSecu = m.technical;
    await assignRole(database.db, desk(), newSecu.id, 'security');
    const v2 = await createDraftVersion(database.db, desk(), m.id, { securityContactId: newSecu.id });
    await sign(m.head.id, v2.id);
    await removeContact(database.db, desk(), newSecu.id);
    const e = await refused(activateVersion(database.db, desk(), v2.id));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect(e).toMatchObject({ rule: 'agreement-stale' });
    expect((await currentAgreement(database.db, m.id))?.version).toBe(1);
  });

  it('withdraws a pending version (the technical contact, the head or the desk), not an active one', async () => {
    const m = await activeMember();
    const v2 = await createDraftVersion(database.db, desk(), m.id, { bandwidthMbps: 5000 });
    const security = await contactCtx(database.db, m.security.id);
    expect(await refused(withdrawVersion(database.db, security, v2.id, 'no'))).toBeInstanceOf(ForbiddenError);
    const w = await withdrawVersion(
      database.db,
      await contactCtx(database.db, m.technical.id),
      v2.id,
      'typo in bandwidth',
    );
    expect(w.status).toBe('withdrawn');
    const active = m.agreementVersion.id;
    expect(await refused(withdrawVersion(database.db, desk(), active, 'x'))).toBeInstanceOf(
      InvalidTransitionError,
    );
    // The slot is free again for a new draft, numbered after the withdrawn one.
    expect((await createDraftVersion(database.db, desk(), m.id, { bandwidthMbps: 5000 })).version).toBe(3);
  });

  it('runs inside a caller’s transaction: a refusal there leaves the caller free to go on', async () => {
    const m = await activeMember();
    await createDraftVersion(database.db, desk(), m.id, { bandwidthMbps: 7000 });
    const outcome = await database.db.transaction(async (tx) => {
      const e = await refused(createDraftVersion(tx, desk(), m.id, { bandwidthMbps: 8000 }));
      // The workflow would record the refusal on its request in the same transaction.
      const still = await currentAgreement(tx, m.id);
      return { e, still: still?.version };
    });
    expect(outcome.e).toBeInstanceOf(ConflictError);
    expect(outcome.still).toBe(1);
  });
});
