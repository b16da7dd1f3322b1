import { ChangeLogEntry, changeConnection, contactChangeScope, listChanges } from '@guichet/audit';
import { batchLoader, builder, keysetConnection } from '@guichet/graphql';
import { agreementVersionsOf, currentAgreementsOf } from '../agreements/queries.js';
import { contactsOf } from '../contacts/queries.js';
import {
  AgreementVersionRef,
  ContactRef,
  ContactRoleEnum,
  InstitutionKindEnum,
  InstitutionRef,
  InstitutionStatusEnum,
  SiteRef,
} from '../graphql/refs.js';
import type { InstitutionKind, InstitutionStatus } from '../model.js';
import { getInstitution, institutionCursor, listInstitutions, sitesOf } from './queries.js';

InstitutionRef.implement({
  description:
    'A member institution (university, research body…): its sites, its contacts and their roles, and its agreement with the operator.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Full name.' }),
    shortName: t.exposeString('shortName', { description: 'Short name (unique, case-insensitive).' }),
    kind: t.field({
      type: InstitutionKindEnum,
      description: 'Under a supervising ministry or under contract.',
      resolve: (r) => r.kind as InstitutionKind,
    }),
    siren: t.exposeString('siren', { description: 'SIREN (9 digits), the legal entity number.' }),
    siret: t.exposeString('siret', {
      nullable: true,
      description: 'SIRET (14 digits) of the main establishment; starts with the SIREN.',
    }),
    collector: t.exposeString('collector', {
      description: 'The regional collection network that carries it to the backbone.',
    }),
    status: t.field({
      type: InstitutionStatusEnum,
      description: 'Member or closed.',
      resolve: (r) => r.status as InstitutionStatus,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true, description: 'When it was closed.' }),
    sites: t.field({
      type: [SiteRef],
      description: 'Its present sites: the main site first, then the secondary sites by name.',
      // Batched: a page of institutions reads its sites in one statement (no N+1).
      resolve: (r, _a, c) =>
        batchLoader(c, 'membership.sites', (ids: readonly string[]) => sitesOf(c.database.db, ids)).load(
          r.id,
        ),
    }),
    contacts: t.field({
      type: [ContactRef],
      description: 'Its present contacts by name.',
      args: {
        role: t.arg({
          type: ContactRoleEnum,
          required: false,
          description: 'Only the contacts holding this role.',
        }),
      },
      resolve: (r, a, c) =>
        batchLoader(c, `membership.contacts.${a.role ?? '*'}`, (ids: readonly string[]) =>
          contactsOf(c.database.db, ids, a.role ?? undefined),
        ).load(r.id),
    }),
    agreement: t.field({
      type: AgreementVersionRef,
      nullable: true,
      description: 'The agreement version in force (ACTIVE), if any: what service lines consult.',
      resolve: async (r, _a, c) =>
        (await batchLoader(c, 'membership.agreement', (ids: readonly string[]) =>
          currentAgreementsOf(c.database.db, ids),
        ).load(r.id)) ?? null,
    }),
    agreementVersions: t.field({
      type: [AgreementVersionRef],
      description: 'Every version of its agreement, newest first.',
      resolve: (r, _a, c) =>
        batchLoader(c, 'membership.agreementVersions', (ids: readonly string[]) =>
          agreementVersionsOf(c.database.db, ids),
        ).load(r.id),
    }),
  }),
});

SiteRef.implement({
  description: 'A site of an institution: the main site, or a secondary site listed in the agreement.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Name (unique within the institution).' }),
    address: t.exposeString('address', { description: 'Postal address.' }),
    city: t.exposeString('city', { description: 'City.' }),
    main: t.exposeBoolean('main', { description: 'Whether it is the main site.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was added.' }),
    removedAt: t.expose('removedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was removed.',
    }),
  }),
});

builder.queryField('institutions', (t) =>
  t.connection({
    type: InstitutionRef,
    description: 'Institutions by name. Operator staff see all of them; a contact sees only their own.',
    authScopes: { authenticated: true },
    args: {
      kind: t.arg({ type: InstitutionKindEnum, required: false, description: 'Only this kind.' }),
      status: t.arg({ type: InstitutionStatusEnum, required: false, description: 'Only this status.' }),
      collector: t.arg.string({
        required: false,
        description: 'Only those carried by this regional collector.',
      }),
      search: t.arg.string({
        required: false,
        description: 'Only those whose name or short name contains this text (case-insensitive).',
      }),
    },
    resolve: (_r, args, { database, ctx }) =>
      keysetConnection(args, institutionCursor, (after, limit) =>
        listInstitutions(
          database.db,
          ctx.actor,
          { kind: args.kind, status: args.status, collector: args.collector, search: args.search },
          after,
          limit,
        ),
      ),
  }),
);

builder.queryField('institution', (t) =>
  t.field({
    type: InstitutionRef,
    nullable: true,
    description: 'One institution; null if it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: (_r, { id }, { database, ctx }) => getInstitution(database.db, ctx.actor, String(id)),
  }),
);

builder.objectField(InstitutionRef, 'changes', (t) =>
  t.connection({
    type: ChangeLogEntry,
    nullable: true,
    description:
      "Its change log, newest first: staff read all of it; the institution's own contacts the changes to its institution record, sites, contacts, agreement versions, requests and prefixes (never a ticket's, so never the NOC's internal comments); null for anyone else.",
    // One statement per institution: an object page's field, not one for a list of institutions.
    resolve: (inst, args, { database, ctx }) => {
      const scope = contactChangeScope(ctx.actor, inst.id);
      if (!scope) return null;
      return changeConnection(args, (before, limit) =>
        listChanges(database.db, {
          institutionId: inst.id,
          ...scope,
          ...(before !== undefined ? { before } : {}),
          limit,
        }),
      );
    },
  }),
);
