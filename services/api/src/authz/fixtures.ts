import { randomInt } from 'node:crypto';
import { type Actor, type RequestContext, systemContext, type TokenScope } from '@guichet/core';
import type { Database } from '@guichet/db';
import {
  addSite,
  contactActor,
  createContact,
  createInstitution,
  currentAgreement,
  DEMO_INSTITUTIONS,
  listContacts,
  luhnComplete,
  seedDemoMembership,
} from '@guichet/membership';
import { createApiToken } from '../auth/tokens.js';
import { institutionId, staffWithToken } from '../test-app.js';

/**
 * The cast of the authorisation matrix: every contact role of institution A, a technical
 * contact of B, each staff role, read-only tokens of a contact and of an administrator, and
 * nobody. Test code only.
 */
export const ROLES = [
  'anonymous',
  'head',
  'technical',
  'security',
  'service',
  'administrative',
  'eduroam',
  'federation',
  'technicalReadOnly',
  'technicalB',
  'noc',
  'desk',
  'admin',
  'adminReadOnly',
] as const;
export type Role = (typeof ROLES)[number];

export const CONTACTS_A: Role[] = [
  'head',
  'technical',
  'security',
  'service',
  'administrative',
  'eduroam',
  'federation',
  'technicalReadOnly',
];
export const STAFF: Role[] = ['noc', 'desk', 'admin', 'adminReadOnly'];
export const WRITING_STAFF: Role[] = ['noc', 'desk', 'admin'];

export interface Cast {
  database: Database;
  institutionA: string;
  institutionB: string;
  tokens: Partial<Record<Role, string>>;
  actors: Partial<Record<Role, Actor>>;
  /** A desk context for making fixtures directly through the services. */
  desk: RequestContext;
  contactIdOf(role: Role): string;
  activeAgreementA: string;
  /** Fresh objects of institution A, so a cell that is allowed to mutate never disturbs another. */
  freshInstitution(): Promise<string>;
  freshContact(institutionId?: string): Promise<string>;
  freshSite(): Promise<string>;
}

async function tokenFor(database: Database, actor: Actor, scope: TokenScope): Promise<string> {
  const ctx: RequestContext = { ...systemContext('matrix'), actor };
  return (await createApiToken(database, ctx, { name: `matrix ${scope}`, scope })).secret;
}

export async function makeCast(database: Database): Promise<Cast> {
  await seedDemoMembership(database, systemContext('seed'));
  const a = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
  const b = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
  const tokens: Partial<Record<Role, string>> = {};
  const actors: Partial<Record<Role, Actor>> = {};
  const contactIds: Partial<Record<Role, string>> = {};
  for (const role of [
    'head',
    'technical',
    'security',
    'service',
    'administrative',
    'eduroam',
    'federation',
  ] as const) {
    // The seed gives every role to a different person, so each token carries exactly one role.
    const c = (await listContacts(database.db, a, role))[0]!;
    contactIds[role] = c.id;
    actors[role] = (await contactActor(database.db, c.id, { method: 'token', scope: 'write' }))!;
    tokens[role] = await tokenFor(database, actors[role]!, 'write');
  }
  tokens.technicalReadOnly = await tokenFor(database, actors.technical!, 'read');
  actors.technicalReadOnly = {
    ...(actors.technical as Actor & { kind: 'contact' }),
    credential: { method: 'token', scope: 'read' },
  };
  contactIds.technicalReadOnly = contactIds.technical;
  const techB = (await listContacts(database.db, b, 'technical'))[0]!;
  actors.technicalB = (await contactActor(database.db, techB.id, { method: 'token', scope: 'write' }))!;
  tokens.technicalB = await tokenFor(database, actors.technicalB, 'write');
  for (const r of ['noc', 'desk', 'admin'] as const) {
    const s = await staffWithToken(database, `matrix-${r}`, [r]);
    tokens[r] = s.token;
    actors[r] = {
      kind: 'staff',
      id: s.staff.id,
      username: s.staff.username,
      displayName: s.staff.displayName,
      roles: [r],
      credential: { method: 'session', scope: 'write' },
    };
  }
  tokens.adminReadOnly = await tokenFor(database, actors.admin!, 'read');
  const desk: RequestContext = { ...systemContext('matrix'), actor: actors.desk! };
  const active = await currentAgreement(database.db, a);
  let n = 0;
  return {
    database,
    institutionA: a,
    institutionB: b,
    tokens,
    actors,
    desk,
    activeAgreementA: active!.id,
    contactIdOf: (role) => contactIds[role]!,
    async freshInstitution() {
      const made = await createInstitution(database.db, desk, {
        name: `Matrix ${++n}`,
        shortName: `MTX-${n}-${randomInt(1e6)}`,
        kind: 'contrat',
        siren: luhnComplete(String(20_000_000 + randomInt(70_000_000))),
        collector: 'Collecte Matrix',
        mainSite: { name: 'Main', address: '1 rue A', city: 'Paris' },
        agreement: { conventionRef: 'CONV', charterRef: 'CHARTE', bandwidthMbps: 100, services: [] },
      } as never);
      return made.institution.id;
    },
    async freshContact(institutionId = a) {
      const c = await createContact(database.db, desk, {
        institutionId,
        name: `Person ${++n}`,
        email: `person${n}.${randomInt(1e6)}@example.fr`,
        roles: ['service'],
      } as never);
      return c.id;
    },
    async freshSite() {
      const s = await addSite(database.db, desk, {
        institutionId: a,
        name: `Annex ${++n} ${randomInt(1e6)}`,
        address: '3 rue C',
        city: 'Lyon',
      });
      return s.id;
    },
  };
}
