import { auditChanges } from '@guichet/audit';
import {
  type Actor,
  type ContactRole,
  fixedClock,
  type RequestContext,
  type StaffRole,
  type TokenScope,
} from '@guichet/core';
import { count, type Database, type DbOrTx } from '@guichet/db';
import { contactActor } from '../contacts/queries.js';
import { createContact } from '../contacts/service.js';
import type { CreateInstitutionInput } from '../inputs.js';
import { createInstitution } from '../institutions/service.js';
import { luhnComplete } from '../model.js';
import { agreementVersions, contactRoles, contacts, institutions, sites } from '../tables.js';

/** Test helpers for the db tier of this package (test code: may use testkit). */

let seq = 0;
export const clock = fixedClock('2026-11-23T10:00:00Z');

export function staffCtx(
  roles: StaffRole[] = ['desk'],
  scope: TokenScope = 'write',
  requestId?: string,
): RequestContext {
  const actor: Actor = {
    kind: 'staff',
    id: `staff-${roles.join('-')}`,
    username: roles.join('-') || 'nobody',
    displayName: 'Staff',
    roles,
    credential: { method: 'session', scope },
  };
  return { actor, requestId: requestId ?? `req-${++seq}`, clock };
}

export const desk = (requestId?: string) => staffCtx(['desk'], 'write', requestId);

export async function contactCtx(
  db: DbOrTx,
  contactId: string,
  scope: TokenScope = 'write',
): Promise<RequestContext> {
  const actor = await contactActor(db, contactId, { method: 'token', scope });
  if (!actor) throw new Error(`contact ${contactId} cannot act`);
  return { actor, requestId: `req-${++seq}`, clock };
}

/** A fresh, valid SIREN for each call (distinct prefixes). */
export function nextSiren(): string {
  return luhnComplete(String(10_000_000 + Math.floor(Math.random() * 80_000_000)));
}

export function institutionInput(over: Partial<CreateInstitutionInput> = {}): CreateInstitutionInput {
  const n = ++seq;
  return {
    name: `Université Example ${n}`,
    shortName: `UEX-${n}`,
    kind: 'tutelle',
    siren: nextSiren(),
    collector: 'Collecte Example',
    mainSite: { name: 'Campus principal', address: '1 rue de la Paix', city: 'Lyon' },
    secondarySites: [
      { name: 'Annexe Nord', address: '2 rue du Nord', city: 'Villeurbanne' },
      { name: 'Annexe Sud', address: '3 rue du Sud', city: 'Vénissieux' },
    ],
    agreement: {
      conventionRef: 'CONV-1',
      charterRef: 'CHARTE-1',
      bandwidthMbps: 1000,
      services: ['ipam', 'routing'],
    },
    ...over,
  };
}

/** An institution with a head, a technical, a security contact and one federation contact. */
export async function member(db: DbOrTx, over: Partial<CreateInstitutionInput> = {}) {
  const created = await createInstitution(db, desk(), institutionInput(over));
  const id = created.institution.id;
  const person = async (name: string, roles: ContactRole[]) =>
    createContact(db, desk(), {
      institutionId: id,
      name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@${created.institution.shortName.toLowerCase()}.example.fr`,
      eppn: `${name.toLowerCase().replace(/\W+/g, '.')}@${created.institution.shortName.toLowerCase()}.example.fr`,
      roles,
    });
  const head = await person('Claire Head', ['head']);
  const technical = await person('Julien Tech', ['technical']);
  const security = await person('Sophie Secu', ['security']);
  const federation = await person('Camille Fede', ['federation']);
  return { ...created, id, head, technical, security, federation };
}

/** Row counts of every membership table and of the change log: proof that nothing was written. */
export async function counts(database: Database | DbOrTx) {
  const db = 'db' in database ? database.db : database;
  const n = async (t: Parameters<ReturnType<DbOrTx['select']>['from']>[0]) =>
    Number((await db.select({ n: count() }).from(t))[0]?.n ?? 0);
  return {
    institutions: await n(institutions),
    sites: await n(sites),
    contacts: await n(contacts),
    roles: await n(contactRoles),
    versions: await n(agreementVersions),
    changes: await n(auditChanges),
  };
}
