import type { DbOrTx } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { getContact } from '../contacts/queries.js';
import {
  AgreementStatusEnum,
  AgreementVersionRef,
  ContactRef,
  InstitutionRef,
  ServiceEnum,
  SiteRef,
} from '../graphql/refs.js';
import { getSite, institutionById } from '../institutions/queries.js';
import type { AgreementVersionRow } from '../internal.js';
import type { AgreementStatus, Service } from '../model.js';
import { canReadInstitution } from '../rules.js';
import { getAgreementVersion, renderVersion } from './queries.js';

// `document` and `documentHash` come from one rendering per row object (one per request).
const rendered = new WeakMap<AgreementVersionRow, Promise<{ text: string; hash: string }>>();
function documentOf(db: DbOrTx, v: AgreementVersionRow) {
  let p = rendered.get(v);
  if (!p) {
    p = renderVersion(db, v);
    rendered.set(v, p);
  }
  return p;
}

AgreementVersionRef.implement({
  description:
    'One version of an institution’s agreement: the convention, the good-use charter with the security contact, the bandwidth sheet with the secondary sites, and the services it opens. One signature by the head of institution covers it all.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    institution: t.field({
      type: InstitutionRef,
      description: 'The institution it binds.',
      // Reached through a visible object: its institution is visible too.
      resolve: (v, _a, { database }) => institutionById(database.db, v.institutionId),
    }),
    version: t.exposeInt('version', { description: 'Version number: 1, 2, … per institution.' }),
    status: t.field({
      type: AgreementStatusEnum,
      description: 'Draft, signed, active, superseded or withdrawn.',
      resolve: (v) => v.status as AgreementStatus,
    }),
    conventionRef: t.exposeString('conventionRef', {
      description: 'Convention d’agrément: reference of the conditions of access.',
    }),
    charterRef: t.exposeString('charterRef', {
      description: 'Charte déontologique: reference of the good-use charter.',
    }),
    securityContact: t.field({
      type: ContactRef,
      nullable: true,
      description: 'The security contact the charter declares (none yet on a first draft).',
      resolve: (v, _a, { database }) =>
        v.securityContactId ? getContact(database.db, v.securityContactId) : null,
    }),
    eduroamContact: t.field({
      type: ContactRef,
      nullable: true,
      description: 'With eduroam: the eduroam contact the eduroam charter names.',
      resolve: (v, _a, { database }) =>
        v.eduroamContactId ? getContact(database.db, v.eduroamContactId) : null,
    }),
    eduroamPolicy: t.exposeString('eduroamPolicy', {
      nullable: true,
      description:
        'With eduroam: the eduroam policy (Service Definition) version whose charter the head signs.',
    }),
    bandwidthMbps: t.exposeInt('bandwidthMbps', { description: 'Committed bandwidth in Mbit/s.' }),
    secondarySites: t.field({
      type: [SiteRef],
      description: 'The secondary sites the bandwidth sheet lists, by name.',
      resolve: async (v, _a, { database }) => {
        const rows = await Promise.all(v.secondarySiteIds.map((id) => getSite(database.db, id)));
        return rows
          .filter((s) => s !== undefined)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      },
    }),
    services: t.field({
      type: [ServiceEnum],
      description: 'The services it opens (once active).',
      resolve: (v) => [...v.services].sort() as Service[],
    }),
    document: t.string({
      description:
        'The document to sign (or as signed), as canonical text. Its SHA-256 is `documentHash`: the head of institution signs by giving that hash back.',
      resolve: async (v, _a, { database }) => (await documentOf(database.db, v)).text,
    }),
    documentHash: t.string({
      description: 'SHA-256 (hex) of `document`. For a signed version, the hash that was signed.',
      resolve: async (v, _a, { database }) => (await documentOf(database.db, v)).hash,
    }),
    signedByName: t.exposeString('signedByName', {
      nullable: true,
      description: 'Who signed it (the head of institution, by name at the time).',
    }),
    signedBy: t.field({
      type: ContactRef,
      nullable: true,
      description: 'The contact who signed it.',
      resolve: (v, _a, { database }) =>
        v.signedByContactId ? getContact(database.db, v.signedByContactId) : null,
    }),
    signedAt: t.expose('signedAt', { type: 'DateTime', nullable: true, description: 'When it was signed.' }),
    activatedBy: t.exposeString('activatedBy', {
      nullable: true,
      description: 'Who at the agreement desk validated it (`staff:<username>`).',
    }),
    activatedAt: t.expose('activatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was validated and took effect.',
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who prepared it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was prepared.' }),
  }),
});

builder.queryField('agreementVersion', (t) =>
  t.field({
    type: AgreementVersionRef,
    nullable: true,
    description: 'One agreement version; null if it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const v = await getAgreementVersion(database.db, String(id));
      return v && canReadInstitution(ctx.actor, v.institutionId) ? v : null;
    },
  }),
);
