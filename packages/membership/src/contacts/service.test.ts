import { auditChanges } from '@guichet/audit';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { and, type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendDraftVersion } from '../agreements/drafts.js';
import { renderVersion } from '../agreements/queries.js';
import { activateVersion, signVersion } from '../agreements/service.js';
import { closeInstitution } from '../institutions/service.js';
import { contactRoles } from '../tables.js';
import { contactCtx, counts, desk, member } from '../test/fixtures.js';
import { contactActor, contactByEppn, contactsWithRole, getContact, listContacts } from './queries.js';
import { assignRole, createContact, removeContact, removeRole, updateContact } from './service.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

describe(`contacts on ${onPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
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
  const newContact = (institutionId: string, name: string, extra: Record<string, unknown> = {}) =>
    createContact(database.db, desk(), {
      institutionId,
      name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.fr`,
      ...extra,
    });

  it('creates a contact with roles, normalising email, phone and eppn, with a change-log row', async () => {
    const m = await member(database.db);
    const c = await createContact(database.db, desk('req-contact-1'), {
      institutionId: m.id,
      name: 'Isabelle Leroy',
      email: 'Isabelle.Leroy@UNIV-Example.FR',
      phone: '04 72 00 00 01',
      eppn: 'ILeroy@Univ-Example.fr',
      roles: ['administrative', 'service', 'service'],
    });
    expect(c).toMatchObject({
      email: 'Isabelle.Leroy@univ-example.fr',
      phone: '+33472000001',
      eppn: 'ileroy@univ-example.fr',
      roles: ['service', 'administrative'],
    });
    const [log] = await database.db
      .select()
      .from(auditChanges)
      .where(eq(auditChanges.requestId, 'req-contact-1'));
    expect(log).toMatchObject({
      action: 'membership.createContact',
      objectType: 'Contact',
      objectId: c.id,
      institutionId: m.id,
    });
  });

  it.each([
    ['email "x"', { email: 'x' }, ['input', 'email']],
    ['a phone "12"', { phone: '12' }, ['input', 'phone']],
    ['an eppn without scope', { eppn: 'jdupont' }, ['input', 'eppn']],
    ['an unknown role', { roles: ['chef'] }, ['input', 'roles', 0]],
  ])('refuses %s with a ValidationError on the field, writing nothing', async (_w, over, path) => {
    const m = await member(database.db);
    const before = await counts(database);
    const e = await refused(newContact(m.id, 'Bad Input', over));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues.map((i) => i.path)).toContainEqual(path);
    expect(await counts(database)).toEqual(before);
  });

  it('refuses a second contact with the same email in the institution, or an eppn already used', async () => {
    const m = await member(database.db);
    await newContact(m.id, 'Dup One', { eppn: 'dup@example.fr' });
    expect(await refused(newContact(m.id, 'Dup One'))).toBeInstanceOf(ConflictError);
    const e = await refused(newContact(m.id, 'Dup Two', { eppn: 'DUP@example.fr' }));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toMatch(/dup@example.fr already belongs to another contact/);
  });

  it('a security contact cannot create, change or remove anything', async () => {
    const m = await member(database.db);
    const security = await contactCtx(database.db, m.security.id);
    const before = await counts(database);
    for (const p of [
      createContact(database.db, security, { institutionId: m.id, name: 'X', email: 'x@example.fr' }),
      updateContact(database.db, security, m.technical.id, { name: 'Y' }),
      removeContact(database.db, security, m.technical.id),
      assignRole(database.db, security, m.security.id, 'technical'),
      removeRole(database.db, security, m.security.id, 'security'),
    ]) {
      expect(await refused(p)).toBeInstanceOf(ForbiddenError);
    }
    expect(await counts(database)).toEqual(before);
  });

  it('allows two federation contacts and refuses a third with a PolicyRefusalError', async () => {
    const m = await member(database.db); // has one federation contact
    const second = await newContact(m.id, 'Fede Two', { roles: ['federation'] });
    expect(second.roles).toEqual(['federation']);
    const third = await newContact(m.id, 'Fede Three');
    const before = await counts(database);
    const e = await refused(assignRole(database.db, desk(), third.id, 'federation'));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect(e).toMatchObject({ rule: 'federation-contacts' });
    expect(await refused(newContact(m.id, 'Fede Four', { roles: ['federation'] }))).toBeInstanceOf(
      PolicyRefusalError,
    );
    expect(await counts(database)).toEqual(before);
    // Giving a held role changes nothing; removing a contact frees their slot.
    const again = await assignRole(database.db, desk(), second.id, 'federation');
    expect(again.roles).toEqual(['federation']);
    expect(await counts(database)).toEqual(before);
    await removeContact(database.db, desk(), m.federation.id);
    expect((await assignRole(database.db, desk(), third.id, 'federation')).roles).toEqual(['federation']);
    expect((await contactsWithRole(database.db, m.id, 'federation')).map((c) => c.name).sort()).toEqual([
      'Fede Three',
      'Fede Two',
    ]);
  });

  it('lets exactly one of concurrent assignments win the last federation slot (5 rounds of 3 racers)', async () => {
    for (let round = 0; round < 5; round++) {
      const m = await member(database.db); // slot 1 is taken by its federation contact
      const racers = await Promise.all(['A', 'B', 'C'].map((x) => newContact(m.id, `Racer ${x} ${round}`)));
      const results = await Promise.allSettled(
        racers.map((r) => assignRole(database.db, desk(), r.id, 'federation')),
      );
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const l of lost) expect(l.reason).toBeInstanceOf(PolicyRefusalError);
      const slots = await database.db
        .select({ slot: contactRoles.slot })
        .from(contactRoles)
        .where(and(eq(contactRoles.institutionId, m.id), eq(contactRoles.role, 'federation')));
      expect(slots.map((s) => s.slot).sort()).toEqual([1, 2]);
    }
  });

  it('updates a contact (null clears the phone) and removes one softly, ending roles and logins', async () => {
    const m = await member(database.db);
    const c = await newContact(m.id, 'Pierre David', {
      phone: '+33 1 23 45 67 89',
      eppn: 'pdavid@example.fr',
      roles: ['service'],
    });
    const changed = await updateContact(database.db, desk(), c.id, {
      phone: null,
      name: 'Pierre-Marie David',
    });
    expect(changed).toMatchObject({ phone: null, name: 'Pierre-Marie David', roles: ['service'] });
    expect(await contactByEppn(database.db, 'PDavid@Example.FR')).toMatchObject({
      kind: 'contact',
      id: c.id,
      roles: ['service'],
    });
    const removed = await removeContact(database.db, desk(), c.id);
    expect(removed.removedAt).not.toBeNull();
    expect(removed.roles).toEqual([]);
    expect((await getContact(database.db, c.id))?.removedAt).not.toBeNull();
    expect((await listContacts(database.db, m.id)).map((x) => x.id)).not.toContain(c.id);
    expect(await contactActor(database.db, c.id, { method: 'token', scope: 'write' })).toBeUndefined();
    expect(await contactByEppn(database.db, 'pdavid@example.fr')).toBeUndefined();
    expect(await refused(updateContact(database.db, desk(), c.id, { name: 'Z' }))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('keeps the security contact of the active agreement: neither removed nor stripped of the role', async () => {
    const m = await member(database.db);
    await amendDraftVersion(database.db, desk(), m.agreementVersion.id, { securityContactId: m.security.id });
    const { hash } = await renderVersion(database.db, m.agreementVersion.id);
    await signVersion(database.db, await contactCtx(database.db, m.head.id), m.agreementVersion.id, {
      documentHash: hash,
    });
    await activateVersion(database.db, desk(), m.agreementVersion.id);
    expect(await refused(removeContact(database.db, desk(), m.security.id))).toMatchObject({
      rule: 'security-contact',
    });
    expect(await refused(removeRole(database.db, desk(), m.security.id, 'security'))).toMatchObject({
      rule: 'security-contact',
    });
    // Other roles come and go.
    expect((await assignRole(database.db, desk(), m.security.id, 'eduroam')).roles).toEqual([
      'security',
      'eduroam',
    ]);
    expect((await removeRole(database.db, desk(), m.security.id, 'eduroam')).roles).toEqual(['security']);
  });

  it('gives an actor only for a present contact of an open institution', async () => {
    const m = await member(database.db);
    const actor = await contactActor(database.db, m.technical.id, { method: 'token', scope: 'read' });
    expect(actor).toEqual({
      kind: 'contact',
      id: m.technical.id,
      displayName: 'Julien Tech',
      institutionId: m.id,
      roles: ['technical'],
      credential: { method: 'token', scope: 'read' },
    });
    expect(await contactActor(database.db, 'not-a-uuid', { method: 'token', scope: 'read' })).toBeUndefined();
    await closeInstitution(database.db, desk(), m.id);
    expect(
      await contactActor(database.db, m.technical.id, { method: 'token', scope: 'read' }),
    ).toBeUndefined();
    expect(await contactByEppn(database.db, m.technical.eppn!)).toBeUndefined();
  });
});
