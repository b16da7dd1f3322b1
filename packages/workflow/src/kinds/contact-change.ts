import { CONTACT_ROLES, type ContactRole, ValidationError } from '@guichet/core';
import { and, eq, isNull } from '@guichet/db';
import { assignRole, contacts, createContact, removeContact, removeRole } from '@guichet/membership';
import { z } from 'zod';
import { registerKind } from '../kinds.js';

/**
 * `membership.contactChange`: an institution asks for a contact to be added or removed, or for
 * a role to be given or taken. Contacts are never self-service (DOMAIN.md): the agreement desk
 * carries the change out through membership's functions, which hold the rules (the declared
 * security contact stays, at most two federation contacts…).
 *
 * The payload is flat, like the GraphQL input, so that field paths match one to one.
 */

export const CONTACT_CHANGE_ACTIONS = ['add', 'remove', 'addRole', 'removeRole'] as const;
export type ContactChangeAction = (typeof CONTACT_CHANGE_ACTIONS)[number];

const role = z.enum(CONTACT_ROLES);

export const contactChangeSchema = z
  .object({
    action: z.enum(CONTACT_CHANGE_ACTIONS),
    /** remove, addRole, removeRole: the contact concerned. */
    contactId: z.uuid().optional(),
    /** add: the new contact. */
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().optional(),
    phone: z.string().trim().min(1).max(40).optional(),
    eppn: z.string().trim().min(3).max(256).optional(),
    roles: z.array(role).max(CONTACT_ROLES.length).optional(),
    /** addRole, removeRole: the role. */
    role: role.optional(),
  })
  .superRefine((p, ctx) => {
    const need = (field: keyof typeof p, why: string) => {
      if (p[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    const refuse = (field: keyof typeof p) => {
      if (p[field] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `not used when the action is ${p.action}` });
      }
    };
    if (p.action === 'add') {
      need('name', 'the new contact needs a name');
      need('email', 'the new contact needs an email address');
      need('roles', 'give the new contact at least one role');
      if (p.roles?.length === 0)
        ctx.addIssue({ code: 'custom', path: ['roles'], message: 'give at least one role' });
      refuse('contactId');
      refuse('role');
      return;
    }
    need('contactId', 'name the contact');
    for (const f of ['name', 'email', 'phone', 'eppn', 'roles'] as const) refuse(f);
    if (p.action === 'remove') refuse('role');
    else need('role', 'name the role');
  });
export type ContactChange = z.output<typeof contactChangeSchema>;

export const CONTACT_CHANGE = 'membership.contactChange';

/** The schema's refinement guarantees these per action; this keeps the types honest. */
function given<T>(v: T | undefined, field: string): T {
  if (v === undefined)
    throw new Error(`contact change without ${field}: the payload schema should have refused it`);
  return v;
}

registerKind<ContactChange>({
  kind: CONTACT_CHANGE,
  queue: 'membership',
  title: 'Contact change',
  description:
    'Adds or removes a contact of the institution, or gives or takes a role; the agreement desk carries it out.',
  schema: contactChangeSchema,
  // The contact must be a present contact of the requesting institution: another
  // institution's contact id is refused like an unknown one (no probing across institutions).
  validate: async (tx, p, institutionId) => {
    if (!p.contactId) return;
    const [c] = await tx
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          eq(contacts.id, p.contactId),
          eq(contacts.institutionId, institutionId),
          isNull(contacts.removedAt),
        ),
      );
    if (!c) throw ValidationError.field(['contactId'], 'not a contact of this institution');
  },
  steps: [
    {
      name: 'desk',
      type: 'human',
      actor: 'desk',
      description: 'The agreement desk checks the change and carries it out.',
      run: async (tx, { request, payload: p, ctx }) => {
        switch (p.action) {
          case 'add': {
            const c = await createContact(tx, ctx, {
              institutionId: request.institutionId,
              name: given(p.name, 'name'),
              email: given(p.email, 'email'),
              phone: p.phone ?? null,
              eppn: p.eppn ?? null,
              roles: given(p.roles, 'roles') as ContactRole[],
            });
            return { contactId: c.id };
          }
          case 'remove':
            await removeContact(tx, ctx, given(p.contactId, 'contactId'));
            return { contactId: p.contactId };
          case 'addRole':
            await assignRole(tx, ctx, given(p.contactId, 'contactId'), given(p.role, 'role'));
            return { contactId: p.contactId, role: p.role };
          case 'removeRole':
            await removeRole(tx, ctx, given(p.contactId, 'contactId'), given(p.role, 'role'));
            return { contactId: p.contactId, role: p.role };
        }
      },
    },
  ],
  sla: { responseMinutes: 8 * 60, resolutionMinutes: 5 * 24 * 60 },
});
