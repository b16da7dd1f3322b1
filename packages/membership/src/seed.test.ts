import { auditChanges } from '@guichet/audit';
import { CONTACT_ROLES, systemContext } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  currentAgreement,
  isServiceOpen,
  listAgreementVersions,
  renderVersion,
} from './agreements/queries.js';
import { contactByEppn, contactsWithRole } from './contacts/queries.js';
import { listInstitutions, listSites } from './institutions/queries.js';
import { isValidSiren, isValidSiret, sha256Hex } from './model.js';
import { seedDemoMembership } from './seed.js';
import { counts } from './test/fixtures.js';

describe(`demo seed on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  const system = systemContext('demo');

  it('creates four institutions of both kinds, every role, and a signed ACTIVE agreement each', async () => {
    expect(await seedDemoMembership(database, { ...system, requestId: 'seed-1' })).toEqual({
      seeded: true,
      institutions: 4,
    });
    const all = await listInstitutions(database.db, system.actor, {}, undefined, 100);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((i) => i.kind))).toEqual(new Set(['tutelle', 'contrat']));
    for (const inst of all) {
      expect(isValidSiren(inst.siren)).toBe(true);
      expect(isValidSiret(inst.siret!) && inst.siret!.startsWith(inst.siren)).toBe(true);
      const sites = await listSites(database.db, inst.id);
      expect(sites[0]?.main).toBe(true);
      expect(sites.length).toBeGreaterThan(1);
      for (const role of CONTACT_ROLES) {
        expect((await contactsWithRole(database.db, inst.id, role)).length, `${inst.name} ${role}`).toBe(
          role === 'federation' ? 2 : 1,
        );
      }
      const active = await currentAgreement(database.db, inst.id);
      expect(active).toMatchObject({ version: 1, status: 'active', activatedBy: 'system:demo' });
      const [head] = await contactsWithRole(database.db, inst.id, 'head');
      expect(active?.signedByContactId).toBe(head?.id);
      const [security] = await contactsWithRole(database.db, inst.id, 'security');
      expect(active?.securityContactId).toBe(security?.id);
      expect(active?.secondarySiteIds.sort()).toEqual(
        sites
          .filter((s) => !s.main)
          .map((s) => s.id)
          .sort(),
      );
      const doc = await renderVersion(database.db, active!.id);
      expect(sha256Hex(doc.text)).toBe(active?.documentHash);
      expect(await listAgreementVersions(database.db, inst.id)).toHaveLength(1);
    }
    const lyon = all.find((i) => i.name === 'Université de Lyon-Example')!;
    expect(await isServiceOpen(database.db, lyon.id, 'eduroam')).toBe(true);
    expect(await contactByEppn(database.db, 'Claire.Martin@univ-lyon-example.fr')).toMatchObject({
      roles: ['head'],
    });
    const log = await database.db.select().from(auditChanges).where(eq(auditChanges.requestId, 'seed-1'));
    expect(new Set(log.map((l) => l.action))).toEqual(
      new Set([
        'membership.createInstitution',
        'membership.createContact',
        'membership.amendDraftVersion',
        'membership.signVersion',
        'membership.activateVersion',
      ]),
    );
  });

  it('does nothing when institutions exist already', async () => {
    const before = await counts(database);
    expect(await seedDemoMembership(database, system)).toEqual({ seeded: false, institutions: 0 });
    expect(await counts(database)).toEqual(before);
  });
});
