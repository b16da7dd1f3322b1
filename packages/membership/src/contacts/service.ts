import { recordChange } from '@guichet/audit';
import { type ContactRole, NotFoundError, PolicyRefusalError, type RequestContext } from '@guichet/core';
import { and, type DbOrTx, eq, type Tx } from '@guichet/db';
import { currentAgreement } from '../agreements/queries.js';
import {
  type CreateContactInput,
  createContactSchema,
  roleSchema,
  type UpdateContactInput,
  updateContactSchema,
} from '../inputs.js';
import {
  type ContactRow,
  findById,
  guard,
  inTransaction,
  lockInstitution,
  mustManage,
  one,
  requireOpen,
} from '../internal.js';
import { parseInput } from '../model.js';
import { contactRoles, contacts, institutions } from '../tables.js';
import { type ContactWithRoles, withRoles } from './queries.js';

const rolesOf = async (tx: Tx, c: ContactRow): Promise<ContactWithRoles> => one(await withRoles(tx, [c]));

const conflicts = (email?: string, eppn?: string | null) => ({
  unique: {
    membership_contacts_email_key: `a contact with the email ${email} already exists in this institution`,
    membership_contacts_eppn_key: `the identity ${eppn} already belongs to another contact`,
  },
});

const federationFull = () =>
  new PolicyRefusalError(
    'federation-contacts',
    'an institution has at most two federation contacts: remove one first',
  );

/**
 * Gives a role. Federation contacts take slot 1, else slot 2: each INSERT … ON CONFLICT DO
 * NOTHING lets the unique index decide, so two callers racing for the last slot cannot both
 * win. Returns false when the contact already held the role.
 */
async function insertRole(tx: Tx, c: ContactRow, role: ContactRole, at: Date): Promise<boolean> {
  for (const slot of role === 'federation' ? [1, 2] : [1]) {
    const done = await tx
      .insert(contactRoles)
      .values({ contactId: c.id, institutionId: c.institutionId, role, slot, createdAt: at })
      .onConflictDoNothing()
      .returning({ slot: contactRoles.slot });
    if (done.length) return true;
  }
  // Nothing inserted: either the contact holds the role already, or both slots are taken.
  const [held] = await tx
    .select({ role: contactRoles.role })
    .from(contactRoles)
    .where(and(eq(contactRoles.contactId, c.id), eq(contactRoles.role, role)));
  if (held) return false;
  throw federationFull();
}

/** A present contact, its row share-locked so that it cannot be removed under our feet. */
async function presentContact(tx: Tx, id: string, mode: 'share' | 'update'): Promise<ContactRow> {
  const c = await findById(
    (i) => tx.select().from(contacts).where(eq(contacts.id, i)).for(mode),
    'Contact',
    id,
  );
  if (c.removedAt) throw new NotFoundError('Contact', id);
  requireOpen(one(await tx.select().from(institutions).where(eq(institutions.id, c.institutionId))));
  return c;
}

/** A new contact of one institution, with roles. Agreement desk only (never self-service). */
export async function createContact(
  db: DbOrTx,
  ctx: RequestContext,
  input: CreateContactInput,
): Promise<ContactWithRoles> {
  mustManage(ctx, 'creates contacts');
  const v = parseInput(createContactSchema, input);
  const now = ctx.clock.now();
  const work = inTransaction(db, async (tx) => {
    // Share-locked, not just read: a concurrent closeInstitution (NO KEY UPDATE) waits for this
    // contact or makes it see the closed status; concurrent creations do not wait for each other.
    const [inst] = await tx
      .select()
      .from(institutions)
      .where(eq(institutions.id, v.institutionId))
      .for('share');
    if (!inst) throw new NotFoundError('Institution', v.institutionId);
    requireOpen(inst);
    const row = one(
      await tx
        .insert(contacts)
        .values({
          institutionId: v.institutionId,
          name: v.name,
          email: v.email,
          phone: v.phone ?? null,
          eppn: v.eppn ?? null,
          createdAt: now,
        })
        .returning(),
    );
    for (const role of v.roles) await insertRole(tx, row, role, now);
    const created = await rolesOf(tx, row);
    await recordChange(tx, ctx, {
      action: 'membership.createContact',
      objectType: 'Contact',
      objectId: row.id,
      institutionId: v.institutionId,
      after: created,
    });
    return created;
  });
  return guard(work, conflicts(v.email, v.eppn));
}

/** Name, email, phone, federated identity (null clears phone and eppn). Agreement desk only. */
export async function updateContact(
  db: DbOrTx,
  ctx: RequestContext,
  id: string,
  input: UpdateContactInput,
): Promise<ContactWithRoles> {
  mustManage(ctx, 'changes contacts');
  const v = parseInput(updateContactSchema, input);
  const work = inTransaction(db, async (tx) => {
    const before = await presentContact(tx, id, 'update');
    const rows = await tx
      .update(contacts)
      .set({
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.email !== undefined ? { email: v.email } : {}),
        ...(v.phone !== undefined ? { phone: v.phone } : {}),
        ...(v.eppn !== undefined ? { eppn: v.eppn } : {}),
      })
      .where(eq(contacts.id, id))
      .returning();
    const after = await rolesOf(tx, one(rows));
    await recordChange(tx, ctx, {
      action: 'membership.updateContact',
      objectType: 'Contact',
      objectId: id,
      institutionId: before.institutionId,
      before,
      after,
    });
    return after;
  });
  return guard(work, conflicts(v.email, v.eppn));
}

/** Refuses to take away the security contact the active agreement declares. */
async function keepDeclaredSecurityContact(tx: Tx, c: ContactRow, what: string): Promise<void> {
  await lockInstitution(tx, c.institutionId);
  const active = await currentAgreement(tx, c.institutionId);
  if (active?.securityContactId === c.id) {
    throw new PolicyRefusalError(
      'security-contact',
      `${c.name} is the security contact of the active agreement (version ${active.version}): ${what} needs a signed new version naming another security contact first`,
    );
  }
}

/**
 * Removes a contact (kept for history with `removedAt`; their roles end, their logins stop).
 * The security contact of the active agreement stays. Removing twice changes nothing.
 */
export async function removeContact(db: DbOrTx, ctx: RequestContext, id: string): Promise<ContactWithRoles> {
  mustManage(ctx, 'removes contacts');
  return inTransaction(db, async (tx) => {
    const seen = await findById((i) => tx.select().from(contacts).where(eq(contacts.id, i)), 'Contact', id);
    await keepDeclaredSecurityContact(tx, seen, 'removing them');
    const c = await findById(
      (i) => tx.select().from(contacts).where(eq(contacts.id, i)).for('update'),
      'Contact',
      id,
    );
    const before = await rolesOf(tx, c);
    if (c.removedAt) return before;
    await tx.delete(contactRoles).where(eq(contactRoles.contactId, id));
    const row = one(
      await tx.update(contacts).set({ removedAt: ctx.clock.now() }).where(eq(contacts.id, id)).returning(),
    );
    const after: ContactWithRoles = { ...row, roles: [] };
    await recordChange(tx, ctx, {
      action: 'membership.removeContact',
      objectType: 'Contact',
      objectId: id,
      institutionId: c.institutionId,
      before,
      after,
    });
    return after;
  });
}

/**
 * Gives a contact a role; giving a held role changes nothing. A third federation contact is a
 * PolicyRefusalError. Agreement desk only.
 */
export async function assignRole(
  db: DbOrTx,
  ctx: RequestContext,
  contactId: string,
  role: ContactRole,
): Promise<ContactWithRoles> {
  mustManage(ctx, 'assigns roles');
  const r = parseInput(roleSchema, role, ['role']);
  return inTransaction(db, async (tx) => {
    const c = await presentContact(tx, contactId, 'share');
    const before = await rolesOf(tx, c);
    if (!(await insertRole(tx, c, r, ctx.clock.now()))) return before;
    const after = await rolesOf(tx, c);
    await recordChange(tx, ctx, {
      action: 'membership.assignContactRole',
      objectType: 'Contact',
      objectId: c.id,
      institutionId: c.institutionId,
      before: { roles: before.roles },
      after: { roles: after.roles, added: r },
    });
    return after;
  });
}

/**
 * Takes a role away; taking a role not held changes nothing. The security contact of the
 * active agreement keeps the `security` role. Agreement desk only.
 */
export async function removeRole(
  db: DbOrTx,
  ctx: RequestContext,
  contactId: string,
  role: ContactRole,
): Promise<ContactWithRoles> {
  mustManage(ctx, 'removes roles');
  const r = parseInput(roleSchema, role, ['role']);
  return inTransaction(db, async (tx) => {
    // The institution is locked before the contact, in the same order as removeContact.
    if (r === 'security') {
      const c = await findById(
        (i) => tx.select().from(contacts).where(eq(contacts.id, i)),
        'Contact',
        contactId,
      );
      await keepDeclaredSecurityContact(tx, c, 'taking their security role');
    }
    const seen = await presentContact(tx, contactId, 'share');
    const before = await rolesOf(tx, seen);
    const gone = await tx
      .delete(contactRoles)
      .where(and(eq(contactRoles.contactId, contactId), eq(contactRoles.role, r)))
      .returning();
    if (!gone.length) return before;
    const after = await rolesOf(tx, seen);
    await recordChange(tx, ctx, {
      action: 'membership.removeContactRole',
      objectType: 'Contact',
      objectId: contactId,
      institutionId: seen.institutionId,
      before: { roles: before.roles },
      after: { roles: after.roles, removed: r },
    });
    return after;
  });
}
