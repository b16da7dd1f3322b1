import { type Actor, CONTACT_ROLES, type ContactRole, type Credential, isUuid } from '@guichet/core';
import { and, asc, type DbOrTx, eq, inArray, isNull } from '@guichet/db';
import { groupByKey } from '@guichet/graphql';
import type { ContactRow } from '../internal.js';
import { contactRoles, contacts, institutions } from '../tables.js';

/** A contact with the roles they hold in their institution (in CONTACT_ROLES order). */
export type ContactWithRoles = ContactRow & { roles: ContactRole[] };

const order = (r: string) => CONTACT_ROLES.indexOf(r as ContactRole);

export async function withRoles(db: DbOrTx, rows: ContactRow[]): Promise<ContactWithRoles[]> {
  if (rows.length === 0) return [];
  const held = await db
    .select({ contactId: contactRoles.contactId, role: contactRoles.role })
    .from(contactRoles)
    .where(
      inArray(
        contactRoles.contactId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((r) => ({
    ...r,
    roles: held
      .filter((h) => h.contactId === r.id)
      .map((h) => h.role as ContactRole)
      .sort((a, b) => order(a) - order(b)),
  }));
}

/** The present (not removed) contacts of an institution, by name; only those holding `role` if given. */
export async function listContacts(
  db: DbOrTx,
  institutionId: string,
  role?: ContactRole,
): Promise<ContactWithRoles[]> {
  return (await contactsOf(db, [institutionId], role))[0] ?? [];
}

/** The present contacts of several institutions (holding `role` if given), two statements in all. */
export async function contactsOf(
  db: DbOrTx,
  institutionIds: readonly string[],
  role?: ContactRole,
): Promise<ContactWithRoles[][]> {
  const ids = institutionIds.filter(isUuid);
  if (!ids.length) return institutionIds.map(() => []);
  const where = and(inArray(contacts.institutionId, ids), isNull(contacts.removedAt));
  const rows = role
    ? (
        await db
          .select({ c: contacts })
          .from(contacts)
          .innerJoin(contactRoles, and(eq(contactRoles.contactId, contacts.id), eq(contactRoles.role, role)))
          .where(where)
          .orderBy(asc(contacts.name), asc(contacts.id))
      ).map((r) => r.c)
    : await db.select().from(contacts).where(where).orderBy(asc(contacts.name), asc(contacts.id));
  return groupByKey(institutionIds, await withRoles(db, rows), (r) => r.institutionId);
}

/** One contact, removed ones included (their `removedAt` says so). */
export async function getContact(db: DbOrTx, id: string): Promise<ContactWithRoles | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.select().from(contacts).where(eq(contacts.id, id));
  return (await withRoles(db, rows))[0];
}

/** Who to notify: the present contacts of an institution holding a role. */
export async function contactsWithRole(
  db: DbOrTx,
  institutionId: string,
  role: ContactRole,
): Promise<{ id: string; name: string; email: string }[]> {
  if (!isUuid(institutionId)) return [];
  return db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email })
    .from(contacts)
    .innerJoin(contactRoles, and(eq(contactRoles.contactId, contacts.id), eq(contactRoles.role, role)))
    .where(and(eq(contacts.institutionId, institutionId), isNull(contacts.removedAt)))
    .orderBy(asc(contacts.name), asc(contacts.id));
}

/**
 * The actor for a contact who authenticated with `credential`: only a present contact of an
 * open institution acts; a removed contact or a closed institution's contact gets undefined.
 */
export async function contactActor(
  db: DbOrTx,
  contactId: string,
  credential: Credential,
): Promise<Actor | undefined> {
  if (!isUuid(contactId)) return undefined;
  const rows = await db
    .select({ c: contacts })
    .from(contacts)
    .innerJoin(institutions, eq(institutions.id, contacts.institutionId))
    .where(and(eq(contacts.id, contactId), isNull(contacts.removedAt), eq(institutions.status, 'active')));
  const [c] = await withRoles(
    db,
    rows.map((r) => r.c),
  );
  if (!c) return undefined;
  return {
    kind: 'contact',
    id: c.id,
    displayName: c.name,
    institutionId: c.institutionId,
    roles: c.roles,
    credential,
  };
}

/**
 * The contact a federated identity (eduPersonPrincipalName, compared case-insensitively: it is
 * stored lower-cased) belongs to, as an actor; undefined when none matches.
 */
export async function contactByEppn(
  db: DbOrTx,
  eppn: string,
  credential: Credential = { method: 'federation', scope: 'write' },
): Promise<Actor | undefined> {
  const key = eppn.trim().toLowerCase();
  if (!key) return undefined;
  const [row] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.eppn, key), isNull(contacts.removedAt)));
  return row ? contactActor(db, row.id, credential) : undefined;
}
