import { ForbiddenError } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { canFileFor } from '@guichet/membership';
import { fileRequest, REQUEST_ERRORS, RequestRef } from '@guichet/workflow';
import { getDomain } from '../service/queries.js';
import { DOMAIN_REGISTRATION } from '../workflow.js';
import { DOMAIN_CHANGE } from '../workflow-changes.js';
import { DOMAIN_TRANSFER, transferContext } from '../workflow-transfer.js';

/**
 * Filing goes through the request engine, which decides who may file (a technical contact of
 * the institution, or the desk). Each change mutation files a `domains.change` of one kind.
 */

const NameServerInput = builder.inputType('DomainNameServerInput', {
  description: 'A name server.',
  fields: (f) => ({
    name: f.string({ description: 'Host name.' }),
    addresses: f.stringList({
      required: false,
      description: 'Glue addresses: only (and then required) for a name inside the domain.',
    }),
  }),
});
const DsInput = builder.inputType('DomainDsInput', {
  description: 'A DS record of the signed zone.',
  fields: (f) => ({
    keyTag: f.int({ description: 'Key tag.' }),
    algorithm: f.int({ description: 'DNSSEC algorithm.' }),
    digestType: f.int({ description: '2 (SHA-256) or 4 (SHA-384).' }),
    digest: f.string({ description: 'Digest, hexadecimal.' }),
  }),
});
const HolderInput = builder.inputType('DomainHolderInput', {
  description: 'The legal entity to hold the name (default: the institution).',
  fields: (f) => ({
    name: f.string({ description: 'Its name.' }),
    legalStatus: f.string({ description: '`company`, `association` or `other`.' }),
    siren: f.string({ required: false, description: 'SIREN or SIRET (French entities).' }),
    vat: f.string({ required: false, description: 'VAT number (entities of other EEA countries).' }),
    waldec: f.string({ required: false, description: 'Waldec number (associations).' }),
    country: f.string({ required: false, description: 'Country of the registered office (default FR).' }),
    city: f.string({ description: 'City.' }),
    street: f.string({ required: false, description: 'Street address.' }),
  }),
});

/** What GraphQL hands the resolvers for the shared input types. */
interface NsIn {
  name: string;
  addresses?: string[] | null;
}
interface DsIn {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
}
type HolderIn = Record<string, string | null | undefined>;
const present = (o: HolderIn) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const nsOf = (list: NsIn[]) =>
  list.map((n) => ({ name: n.name, ...(n.addresses ? { addresses: n.addresses } : {}) }));

const RequestDomainInput = builder.inputType('RequestDomainInput', {
  description: 'A new domain name: .fr (registered with AFNIC) or under .prd.fr (the operator’s zone).',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    name: f.string({ description: 'The name, U-label or A-label (`école.fr`, `xn--cole-9oa.fr`).' }),
    holder: f.field({
      type: HolderInput,
      required: false,
      description: 'The holder (default: the institution).',
    }),
    adminContactId: f.id({ description: 'The administrative contact (one of the institution’s contacts).' }),
    techContactIds: f.idList({ description: 'One to three technical contacts.' }),
    nameservers: f.field({ type: [NameServerInput], description: 'At least two name servers.' }),
    ds: f.field({ type: [DsInput], required: false, description: 'DS records, when the zone is signed.' }),
    periodYears: f.int({ required: false, description: 'Registration period, 1–10 years (default 1).' }),
    submit: f.boolean({ required: false, description: 'Submit at once (default); false keeps a draft.' }),
  }),
});

const payloadOf = (i: {
  name: string;
  holder?: HolderIn | null;
  adminContactId: string | number;
  techContactIds: (string | number)[];
  nameservers: NsIn[];
  ds?: DsIn[] | null;
  periodYears?: number | null;
}) => ({
  name: i.name,
  ...(i.holder
    ? {
        holder: present(i.holder),
      }
    : {}),
  adminContactId: String(i.adminContactId),
  techContactIds: i.techContactIds.map(String),
  nameservers: i.nameservers.map((n) => ({
    name: n.name,
    ...(n.addresses ? { addresses: n.addresses } : {}),
  })),
  ...(i.ds ? { ds: i.ds } : {}),
  periodYears: i.periodYears ?? 1,
});

const Payload = builder.simpleObject('DomainRequestPayload', {
  description: 'The filed request.',
  fields: (f) => ({ request: f.field({ type: RequestRef, description: 'The request.' }) }),
});

builder.mutationFields((t) => ({
  requestDomain: t.field({
    type: Payload,
    description:
      'Asks for a domain name (request kind `domains.registration`): the naming charter first (a refusal names its rule and files nothing), then the letter of commitment signed by the head, the desk, the DNS check and the NOC, then the registry. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: RequestDomainInput, description: 'The name.' }) },
    resolve: async (_r, { input }, { database, ctx, env }) => ({
      request: await fileRequest(
        database.db,
        ctx,
        env,
        {
          kind: DOMAIN_REGISTRATION,
          institutionId: String(input.institutionId),
          payload: payloadOf(input),
          submit: input.submit ?? true,
        },
        { payloadPath: ['input'] },
      ),
    }),
  }),
  requestDomainTransfer: t.field({
    type: Payload,
    description:
      'Brings a .fr name from another registrar (request kind `domains.transfer`), with the transfer code the losing registrar gave; the code is sealed at once and never shown again. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: {
      input: t.arg({
        type: builder.inputType('RequestDomainTransferInput', {
          description: 'The name to bring, with its transfer code.',
          fields: (f) => ({
            institutionId: f.id({ description: 'The institution.' }),
            name: f.string({ description: 'The .fr name.' }),
            authInfo: f.string({
              description: 'The transfer code (authInfo) from the losing registrar. Write-only.',
            }),
            keepDS: f.boolean({
              required: false,
              description: 'Keep the DS records at the registry (default true).',
            }),
            holder: f.field({
              type: HolderInput,
              required: false,
              description: 'The holder (default: the institution).',
            }),
            adminContactId: f.id({ description: 'The administrative contact.' }),
            techContactIds: f.idList({ description: 'One to three technical contacts.' }),
            nameservers: f.field({ type: [NameServerInput], description: 'Its name servers.' }),
          }),
        }),
        description: 'The transfer.',
      }),
    },
    resolve: async (_r, { input }, { database, ctx, env }) => {
      const institutionId = String(input.institutionId);
      // Sealing is refused to callers who may not file: nobody learns anything from a seal.
      if (!canFileFor(ctx.actor, institutionId))
        throw new ForbiddenError(
          'Only a technical contact of the institution (or the agreement desk) files its requests',
        );
      return {
        request: await fileRequest(
          database.db,
          ctx,
          env,
          {
            kind: DOMAIN_TRANSFER,
            institutionId,
            payload: {
              ...payloadOf({ ...input, periodYears: 1 }),
              authInfoSealed: env.secrets.seal(input.authInfo, transferContext(input.name)),
              keepDS: input.keepDS ?? true,
            },
          },
          { payloadPath: ['input'] },
        ),
      };
    },
  }),
}));

type ChangeInput = Record<string, unknown>;
/**
 * One `domains.change` mutation per operation, sharing the filing. Its field builder and input
 * are loosely typed: each caller writes a different input shape over the same helper.
 */
function changeMutation(
  name: string,
  operation: string,
  description: string,
  // biome-ignore lint/suspicious/noExplicitAny: Pothos' field builder type, shared by every operation's fields
  fields: (f: any) => Record<string, any>,
  // biome-ignore lint/suspicious/noExplicitAny: the input of each operation has its own shape
  toPayload: (i: any) => ChangeInput,
) {
  const input = builder.inputType(`${name[0]?.toUpperCase()}${name.slice(1)}Input`, {
    description,
    fields: (f) => ({ domainId: f.id({ description: 'The domain.' }), ...fields(f) }),
  });
  builder.mutationField(name, (t) =>
    t.field({
      type: Payload,
      description: `${description} (request kind \`domains.change\`, operation \`${operation}\`). A technical contact of the institution, or the desk.`,
      authScopes: { write: true },
      errors: { types: REQUEST_ERRORS },
      args: { input: t.arg({ type: input, description: 'The change.' }) },
      resolve: async (_r, args, { database, ctx, env }) => {
        const i = (args as { input: { domainId: string | number } }).input;
        const d = await getDomain(database.db, String(i.domainId));
        // An unknown name or another institution's: the engine's own refusal, for the same institution id.
        const institutionId = d?.institutionId ?? '00000000-0000-0000-0000-000000000000';
        return {
          request: await fileRequest(
            database.db,
            ctx,
            env,
            {
              kind: DOMAIN_CHANGE,
              institutionId,
              payload: { operation, domainId: String(i.domainId), ...toPayload(i) },
            },
            { payloadPath: ['input'] },
          ),
        };
      },
    }),
  );
}

changeMutation(
  'requestDomainNameServerChange',
  'nameservers',
  'Replaces the name servers and DS records of a name (checked like a registration)',
  (f) => ({
    nameservers: f.field({ type: [NameServerInput], description: 'The new name servers (at least two).' }),
    ds: f.field({ type: [DsInput], required: false, description: 'The new DS records (none: unsigned).' }),
  }),
  (i) => ({
    nameservers: nsOf(i.nameservers),
    ds: i.ds ?? [],
  }),
);
changeMutation(
  'requestDomainContactChange',
  'contacts',
  'Replaces the administrative and technical contacts of a name',
  (f) => ({
    adminContactId: f.id({ description: 'The administrative contact.' }),
    techContactIds: f.idList({ description: 'One to three technical contacts.' }),
  }),
  (i) => ({ adminContactId: String(i.adminContactId), techContactIds: i.techContactIds.map(String) }),
);
changeMutation(
  'requestDomainHolderChange',
  'holder',
  'Gives a name to another holder (AFNIC trade), after the agreement desk',
  (f) => ({
    holder: f.field({ type: HolderInput, description: 'The new holder.' }),
    keepDS: f.boolean({ required: false, description: 'Keep the DS records (default true).' }),
  }),
  (i) => ({
    holder: {
      country: 'FR',
      ...present(i.holder),
    },
    ...(i.keepDS === null || i.keepDS === undefined ? {} : { keepDS: i.keepDS }),
  }),
);
changeMutation(
  'requestDomainRenewal',
  'renewal',
  'Renews a .fr name',
  (f) => ({ periodYears: f.int({ description: 'Years to add, 1–10.' }) }),
  (i) => ({ periodYears: i.periodYears }),
);
changeMutation(
  'requestDomainDeletion',
  'deletion',
  'Deletes a name: 30 days of redemption, during which it can be restored',
  () => ({}),
  () => ({}),
);
changeMutation(
  'requestDomainRestore',
  'restore',
  'Restores a name in its redemption period',
  () => ({}),
  () => ({}),
);
