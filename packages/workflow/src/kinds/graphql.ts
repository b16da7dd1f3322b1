import { builder } from '@guichet/graphql';
import { AgreementVersionRef, ContactRoleEnum, getAgreementVersion, ServiceEnum } from '@guichet/membership';
import { REQUEST_ERRORS, RequestRef, requestPayload } from '../graphql/requests.js';
import { fileRequest } from '../requests/service.js';
import { currentPass, loadOutputs } from '../requests/store.js';
import { AGREEMENT_CHANGE } from './agreement-change.js';
import { CONTACT_CHANGE, type ContactChangeAction } from './contact-change.js';

/** Filing mutations of the membership kinds, and what the schema shows of them on `Request`. */

// Filing errors have paths in this input (`['input', 'bandwidthMbps']`): the payload is the input.
const AT_INPUT = { payloadPath: ['input'] };

const submitField = (f: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) =>
  f.boolean({
    required: false,
    description: 'Submit at once (default); false keeps a draft to amend and submit later.',
  });

const AgreementChangeInput = builder.inputType('RequestAgreementChangeInput', {
  description: 'What changes in the agreement; name at least one. Each needs a new signature.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution whose agreement changes.' }),
    bandwidthMbps: f.int({ required: false, description: 'The new committed bandwidth, in Mbit/s.' }),
    securityContactId: f.id({
      required: false,
      description: 'The new security contact of the charter (a contact holding the security role).',
    }),
    secondarySiteIds: f.idList({
      required: false,
      description: 'The whole new list of secondary sites the agreement covers.',
    }),
    activateServices: f.field({ type: [ServiceEnum], required: false, description: 'Services to open.' }),
    deactivateServices: f.field({ type: [ServiceEnum], required: false, description: 'Services to close.' }),
    submit: submitField(f),
  }),
});

const ContactChangeActionEnum = builder.enumType('ContactChangeAction', {
  description: 'What a contact change does.',
  values: {
    ADD: { value: 'add', description: 'Add a contact (name, email and roles required).' },
    REMOVE: { value: 'remove', description: 'Remove a contact (contactId required).' },
    ADD_ROLE: { value: 'addRole', description: 'Give a contact a role (contactId and role required).' },
    REMOVE_ROLE: {
      value: 'removeRole',
      description: 'Take a role from a contact (contactId and role required).',
    },
  } as const satisfies Record<string, { value: ContactChangeAction; description: string }>,
});

const ContactChangeInput = builder.inputType('RequestContactChangeInput', {
  description: 'A change to the contacts of an institution, carried out by the agreement desk.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    action: f.field({ type: ContactChangeActionEnum, description: 'What to do.' }),
    contactId: f.id({
      required: false,
      description: 'The contact concerned (REMOVE, ADD_ROLE, REMOVE_ROLE).',
    }),
    name: f.string({ required: false, description: 'Name of the new contact (ADD).' }),
    email: f.string({ required: false, description: 'Email address of the new contact (ADD).' }),
    phone: f.string({ required: false, description: 'Phone number of the new contact (ADD).' }),
    eppn: f.string({
      required: false,
      description: 'Federation identity (eduPersonPrincipalName) of the new contact (ADD).',
    }),
    roles: f.field({
      type: [ContactRoleEnum],
      required: false,
      description: 'Roles of the new contact (ADD).',
    }),
    role: f.field({
      type: ContactRoleEnum,
      required: false,
      description: 'The role (ADD_ROLE, REMOVE_ROLE).',
    }),
    submit: submitField(f),
  }),
});

/** Drops absent fields (GraphQL gives null for them) so that the payload holds what was asked. */
function present<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

builder.mutationFields((t) => ({
  requestAgreementChange: t.field({
    type: requestPayload('RequestAgreementChange', 'The filed request.'),
    description:
      'Asks for a change of the agreement (bandwidth, security contact, secondary sites, services): a draft version is prepared, then the head of institution signs it and the agreement desk validates it. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: AgreementChangeInput, description: 'The changes.' }) },
    resolve: async (_r, { input }, { database, ctx, env }) => {
      const { institutionId, submit, securityContactId, ...rest } = input;
      const payload = {
        ...present({ ...rest, secondarySiteIds: rest.secondarySiteIds?.map(String) }),
        // null is meaningful here (no security contact); absent is not a change.
        ...(securityContactId !== undefined
          ? { securityContactId: securityContactId && String(securityContactId) }
          : {}),
      };
      const request = await fileRequest(
        database.db,
        ctx,
        env,
        { kind: AGREEMENT_CHANGE, institutionId: String(institutionId), payload, submit: submit ?? true },
        AT_INPUT,
      );
      return { request };
    },
  }),
  requestContactChange: t.field({
    type: requestPayload('RequestContactChange', 'The filed request.'),
    description:
      'Asks the agreement desk to add or remove a contact, or to give or take a role. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: ContactChangeInput, description: 'The change.' }) },
    resolve: async (_r, { input }, { database, ctx, env }) => {
      const { institutionId, submit, contactId, ...rest } = input;
      const payload = present({ ...rest, contactId: contactId == null ? undefined : String(contactId) });
      const request = await fileRequest(
        database.db,
        ctx,
        env,
        { kind: CONTACT_CHANGE, institutionId: String(institutionId), payload, submit: submit ?? true },
        AT_INPUT,
      );
      return { request };
    },
  }),
}));

builder.objectField(RequestRef, 'agreementVersion', (t) =>
  t.field({
    type: AgreementVersionRef,
    nullable: true,
    description: 'For an agreement change: the version it prepared (its document is what the head signs).',
    resolve: async (r, _a, { database }) => {
      if (r.kind !== AGREEMENT_CHANGE) return null;
      const outputs = await loadOutputs(database.db, r.id, await currentPass(database.db, r.id));
      const id = outputs.draft?.versionId;
      return typeof id === 'string' ? ((await getAgreementVersion(database.db, id)) ?? null) : null;
    },
  }),
);
