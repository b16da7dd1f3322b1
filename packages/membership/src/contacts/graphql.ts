import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder, DESK_WRITE } from '@guichet/graphql';
import { ContactRef, ContactRoleEnum, InstitutionRef } from '../graphql/refs.js';
import { institutionById } from '../institutions/queries.js';
import { canReadInstitution } from '../rules.js';
import { getContact } from './queries.js';
import { assignRole, createContact, removeContact, removeRole, updateContact } from './service.js';

ContactRef.implement({
  description: 'A person of a member institution, with the roles they hold there.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Full name.' }),
    email: t.expose('email', { type: 'EmailAddress', description: 'Email address.' }),
    phone: t.exposeString('phone', {
      nullable: true,
      description: 'Phone number (E.164, e.g. +33123456789).',
    }),
    eppn: t.exposeString('eppn', {
      nullable: true,
      description: 'Federated identity (eduPersonPrincipalName) they log in with.',
    }),
    roles: t.field({
      type: [ContactRoleEnum],
      description: 'The roles they hold in their institution.',
      resolve: (c) => c.roles,
    }),
    institution: t.field({
      type: InstitutionRef,
      description: 'Their institution.',
      // Reached through a visible object: its institution is visible too.
      resolve: (c, _a, { database }) => institutionById(database.db, c.institutionId),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When they were registered.' }),
    removedAt: t.expose('removedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When they were removed (their roles and logins ended then).',
    }),
  }),
});

builder.queryField('contact', (t) =>
  t.field({
    type: ContactRef,
    nullable: true,
    description: 'One contact; null if they do not exist or belong to an institution you may not see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Their identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const c = await getContact(database.db, String(id));
      return c && canReadInstitution(ctx.actor, c.institutionId) ? c : null;
    },
  }),
);

const ContactPayload = (name: string, what: string) =>
  builder.simpleObject(name, {
    description: what,
    fields: (t) => ({ contact: t.field({ type: ContactRef, description: 'The contact.' }) }),
  });

builder.mutationField('createContact', (t) =>
  t.field({
    type: ContactPayload('CreateContactPayload', 'The new contact.'),
    description:
      'Registers a contact of an institution with their roles (agreement desk; never self-service).',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, ConflictError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'The contact.',
        type: builder.inputType('CreateContactInput', {
          description: 'A new contact.',
          fields: (f) => ({
            institutionId: f.id({ description: 'Their institution.' }),
            name: f.string({ description: 'Full name.' }),
            email: f.string({ description: 'Email address.' }),
            phone: f.string({
              required: false,
              description: 'Phone: +33 1 23 45 67 89, 01 23 45 67 89 or any E.164.',
            }),
            eppn: f.string({
              required: false,
              description: 'Federated identity (user@scope), to log in through the federation.',
            }),
            roles: f.field({ type: [ContactRoleEnum], required: false, description: 'Roles to give them.' }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      contact: await createContact(database.db, ctx, {
        ...input,
        institutionId: String(input.institutionId),
        roles: input.roles ?? [],
      }),
    }),
  }),
);

builder.mutationField('updateContact', (t) =>
  t.field({
    type: ContactPayload('UpdateContactPayload', 'The contact as changed.'),
    description: 'Changes a contact’s name, email, phone or federated identity (agreement desk).',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, ConflictError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'What changes.',
        type: builder.inputType('UpdateContactInput', {
          description: 'Changes to a contact: absent fields stay; null clears phone or eppn.',
          fields: (f) => ({
            id: f.id({ description: 'The contact.' }),
            name: f.string({ required: false, description: 'New full name.' }),
            email: f.string({ required: false, description: 'New email address.' }),
            phone: f.string({ required: false, description: 'New phone (null clears it).' }),
            eppn: f.string({ required: false, description: 'New federated identity (null clears it).' }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input: { id, name, email, ...rest } }, { database, ctx }) => ({
      contact: await updateContact(database.db, ctx, String(id), {
        ...rest,
        ...(name != null ? { name } : {}),
        ...(email != null ? { email } : {}),
      }),
    }),
  }),
);

builder.mutationField('removeContact', (t) =>
  t.field({
    type: ContactPayload('RemoveContactPayload', 'The contact, removed.'),
    description:
      'Removes a contact: their roles end and they can no longer log in (agreement desk). Refused for the security contact of the active agreement.',
    authScopes: DESK_WRITE,
    errors: { types: [NotFoundError, PolicyRefusalError] },
    args: { id: t.arg.id({ required: true, description: 'The contact.' }) },
    resolve: async (_r, { id }, { database, ctx }) => ({
      contact: await removeContact(database.db, ctx, String(id)),
    }),
  }),
);

builder.mutationField('assignContactRole', (t) =>
  t.field({
    type: ContactPayload('AssignContactRolePayload', 'The contact with the role.'),
    description:
      'Gives a contact a role in their institution (agreement desk). At most two federation contacts per institution.',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, PolicyRefusalError] },
    args: {
      contactId: t.arg.id({ required: true, description: 'The contact.' }),
      role: t.arg({ type: ContactRoleEnum, required: true, description: 'The role to give.' }),
    },
    resolve: async (_r, { contactId, role }, { database, ctx }) => ({
      contact: await assignRole(database.db, ctx, String(contactId), role),
    }),
  }),
);

builder.mutationField('removeContactRole', (t) =>
  t.field({
    type: ContactPayload('RemoveContactRolePayload', 'The contact without the role.'),
    description:
      'Takes a role away from a contact (agreement desk). The security contact of the active agreement keeps the security role.',
    authScopes: DESK_WRITE,
    errors: { types: [ValidationError, NotFoundError, PolicyRefusalError] },
    args: {
      contactId: t.arg.id({ required: true, description: 'The contact.' }),
      role: t.arg({ type: ContactRoleEnum, required: true, description: 'The role to take away.' }),
    },
    resolve: async (_r, { contactId, role }, { database, ctx }) => ({
      contact: await removeRole(database.db, ctx, String(contactId), role),
    }),
  }),
);
