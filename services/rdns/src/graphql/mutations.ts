import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder, NOC_WRITE } from '@guichet/graphql';
import { bulkRequestMutation, requestMutation, submitField } from '@guichet/workflow';
import { withdrawDelegation } from '../service/delegations.js';
import { createParentZone } from '../service/parent-zones.js';
import { pushParentZone, renderParentZoneVersion } from '../service/publication.js';
import { recheckOne } from '../service/recheck.js';
import { RDNS_DELEGATION } from '../workflow.js';
import { DelegationRef, ParentZoneRef } from './types.js';

/**
 * rdns mutations. Filing goes through the request engine (who may file is its rule);
 * withdrawal, re-check and parent zones are the NOC's.
 */

const STAFF_ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];

const NameServerInput = builder.inputType('ReverseNameServerInput', {
  description: 'A name server for the zone.',
  fields: (f) => ({
    name: f.string({ description: 'Its host name.' }),
    addresses: f.stringList({
      required: false,
      description: 'Glue addresses: required when the name is inside the zone, refused otherwise.',
    }),
  }),
});

const DsInput = builder.inputType('DelegationSignerInput', {
  description: 'A DS record (digest types 2 and 4 only).',
  fields: (f) => ({
    keyTag: f.int({ description: 'Key tag.' }),
    algorithm: f.int({ description: 'DNSSEC algorithm number.' }),
    digestType: f.int({ description: 'Digest type: 2 (SHA-256) or 4 (SHA-384).' }),
    digest: f.string({ description: 'Digest in hexadecimal.' }),
  }),
});

const RequestReverseDelegationInput = builder.inputType('RequestReverseDelegationInput', {
  description: 'A reverse zone to delegate and its name servers.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    zone: f.string({ description: 'The zone (one of `Institution.reverseZones`).' }),
    nameservers: f.field({ type: [NameServerInput], description: 'At least two name servers.' }),
    ds: f.field({ type: [DsInput], required: false, description: 'DS records, if the zone is signed.' }),
    submit: submitField(f),
  }),
});

const DelegationPayload = builder.simpleObject('ReverseDelegationPayload', {
  description: 'The delegation after the action.',
  fields: (f) => ({ delegation: f.field({ type: DelegationRef, description: 'The delegation.' }) }),
});

interface DelegationInputShape {
  institutionId: string | number;
  zone: string;
  nameservers: { name: string; addresses?: string[] | null }[];
  ds?: { keyTag: number; algorithm: number; digestType: number; digest: string }[] | null;
  submit?: boolean | null;
}

function delegationPayload(input: DelegationInputShape) {
  return {
    zone: input.zone,
    nameservers: input.nameservers.map((n) => ({ name: n.name, addresses: n.addresses ?? undefined })),
    ds: input.ds ?? undefined,
  };
}

requestMutation<DelegationInputShape>('requestReverseDelegation', {
  kind: RDNS_DELEGATION,
  description:
    'Asks for a reverse-zone delegation (request kind `rdns.delegation`): validated, checked, then published in the operator’s parent zone. A technical contact of the institution, or the desk.',
  input: RequestReverseDelegationInput,
  inputDescription: 'The delegation.',
  payloadDescription: 'The filed request (completed at once when the checks pass).',
  payload: delegationPayload,
});

bulkRequestMutation<DelegationInputShape>('requestReverseDelegations', {
  kind: RDNS_DELEGATION,
  description:
    'Files many reverse delegations (as `requestReverseDelegation`, one transaction per item, each with an optional idempotency key): one result per item, payload or typed error.',
  input: RequestReverseDelegationInput,
  payload: delegationPayload,
});

builder.mutationFields((t) => ({
  withdrawDelegation: t.field({
    type: DelegationPayload,
    description: 'Removes a delegation from the parent zone. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'The delegation.' }) },
    resolve: async (_r, { id }, { database, ctx, env, logger }) => {
      const delegation = await database.db.transaction((tx) => withdrawDelegation(tx, ctx, String(id)));
      // After commit, so the server loses the records now; the withdrawal stands whatever
      // happens here (rdns.sync-parent-zones renders and pushes again within a minute).
      const parentZoneId = delegation.parentZoneId;
      if (parentZoneId) {
        await renderParentZoneVersion(database.db, ctx, parentZoneId)
          .then(() => pushParentZone(database.db, env.line('rdns').publisher, parentZoneId))
          .catch((err: unknown) =>
            logger.warn({ err, zone: delegation.zone }, 'rdns: push after withdrawal failed'),
          );
      }
      return { delegation };
    },
  }),
  recheckDelegation: t.field({
    type: DelegationPayload,
    description:
      'Checks a delegation’s name servers again now: a published one that fails turns lame (and opens an `rdns.lameDelegation` request), a lame one that passes is published again. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'The delegation.' }) },
    resolve: async (_r, { id }, { database, ctx, env }) => ({
      delegation: (await recheckOne(database.db, ctx, env, String(id))).delegation,
    }),
  }),
}));

const CreateParentZoneInput = builder.inputType('CreateParentZoneInput', {
  description: 'A parent zone to declare; its name is derived from the prefix.',
  fields: (f) => ({
    prefix: f.field({
      type: 'IPPrefix',
      description: 'The addresses it covers: an IPv4 /8, /16 or /24, or an IPv6 prefix on a nibble boundary.',
    }),
    serverAddress: f.field({
      type: 'IPAddress',
      description: 'The operator’s authoritative server that serves the zone.',
    }),
    serverPort: f.int({ required: false, description: 'Its DNS port (default 53).' }),
    mname: f.field({ type: 'DomainName', description: 'SOA MNAME: the primary name server.' }),
    rname: f.field({
      type: 'DomainName',
      description: 'SOA RNAME: the responsible mailbox as a domain name (`hostmaster.example.fr`).',
    }),
    nameservers: f.field({
      type: ['DomainName'],
      description: 'The zone’s name servers (apex NS): at least one, distinct.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createParentZone: t.field({
    type: builder.simpleObject('CreateParentZonePayload', {
      description: 'The new parent zone.',
      fields: (f) => ({ parentZone: f.field({ type: ParentZoneRef, description: 'The parent zone.' }) }),
    }),
    description:
      'Declares one of the operator’s parent zones. Parent zones may nest (a /24 inside a /16: a delegation goes to the most specific); the same zone twice is a conflict. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateParentZoneInput, description: 'The parent zone.' }) },
    resolve: async (_r, { input }, { database, ctx }) => ({
      parentZone: await createParentZone(database.db, ctx, input),
    }),
  }),
}));
