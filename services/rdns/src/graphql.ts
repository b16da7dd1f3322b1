import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { canReadInstitution, InstitutionRef } from '@guichet/membership';
import { formatPrefix, reverseZones } from '@guichet/net';
import { fileRequest, REQUEST_ERRORS, RequestRef } from '@guichet/workflow';
import { renderParentRecords } from './model.js';
import { pushParentZone } from './publication.js';
import { recheckOne } from './recheck.js';
import {
  type DelegationRow,
  delegationChecks,
  getDelegation,
  institutionZones,
  withdrawDelegation,
} from './service.js';
import { RDNS_DELEGATION } from './workflow.js';

/**
 * The rdns GraphQL face: importing this file registers its types and fields on the shared
 * builder. Filing goes through the request engine (who may file is its rule); withdrawal and
 * re-check are the NOC's.
 */

const NOC = { $all: { write: true, staffRole: 'noc' } } as const;
const STAFF_ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];

export const DelegationStateEnum = builder.enumType('ReverseDelegationState', {
  description: 'Where a reverse delegation stands.',
  values: {
    REQUESTED: { value: 'requested', description: 'Asked for, not checked yet.' },
    CHECKING: { value: 'checking', description: 'The pre-delegation check is running.' },
    PUBLISHED: { value: 'published', description: 'Published in the operator’s parent zone.' },
    LAME: { value: 'lame', description: 'Published, but the last check found a blocking error.' },
    RETURNED: {
      value: 'returned',
      description:
        'Never published: the pre-delegation check found errors (see `checks`, each finding naming its server) and the request went back to the institution — amend it and resubmit.',
    },
    WITHDRAWN: {
      value: 'withdrawn',
      description: 'Removed from the parent zone (or given up before publication other than by the check).',
    },
  } as const,
});

const NameServerRef = builder.simpleObject('ReverseNameServer', {
  description: 'A name server of a delegated reverse zone.',
  fields: (t) => ({
    name: t.string({ description: 'Its host name.' }),
    addresses: t.stringList({ description: 'Glue addresses (only for a name inside the zone).' }),
  }),
});

const DsRef = builder.simpleObject('DelegationSignerRecord', {
  description: 'A DS record published in the parent zone (RFC 4034 §5).',
  fields: (t) => ({
    keyTag: t.int({ description: 'Key tag of the DNSKEY.' }),
    algorithm: t.int({ description: 'DNSSEC algorithm number.' }),
    digestType: t.int({ description: 'Digest type: 2 (SHA-256) or 4 (SHA-384).' }),
    digest: t.string({ description: 'Digest, upper-case hexadecimal.' }),
  }),
});

const FindingRef = builder.simpleObject('DelegationFinding', {
  description: 'One finding of a check of the name servers.',
  fields: (t) => ({
    level: t.string({ description: '`error` (blocks), `warning` or `notice`.' }),
    code: t.string({ description: 'Stable code of the finding.' }),
    message: t.string({ description: 'What was found.' }),
    server: t.string({
      nullable: true,
      description:
        'The name server it concerns, as `name/address@port`; null for a finding about the delegation as a whole (too few servers, differing serials).',
    }),
  }),
});

const CheckRef = builder.simpleObject('DelegationCheck', {
  description: 'One check run of a delegation’s name servers.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When it ran.' }),
    blocking: t.boolean({ description: 'True when a finding is an error.' }),
    findings: t.field({ type: [FindingRef], description: 'Its findings.' }),
  }),
});

export const DelegationRef = builder.objectRef<DelegationRow>('ReverseDelegation').implement({
  description: 'A reverse zone of an institution delegated to its own name servers.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    zone: t.exposeString('zone', { description: 'The zone name (no final dot).' }),
    prefix: t.field({
      type: 'IPPrefix',
      description: 'The addresses the zone serves.',
      resolve: (d) => d.prefix,
    }),
    state: t.field({
      type: DelegationStateEnum,
      description: 'Its state.',
      resolve: (d) => d.state as never,
    }),
    nameservers: t.field({
      type: [NameServerRef],
      description: 'Its name servers.',
      resolve: (d) => d.nameservers,
    }),
    ds: t.field({ type: [DsRef], description: 'Its DS records.', resolve: (d) => d.ds }),
    lastCheckAt: t.expose('lastCheckAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was last checked.',
    }),
    checks: t.field({
      type: [CheckRef],
      description: 'Every check run, newest first.',
      resolve: async (d, _a, { database }) =>
        (await delegationChecks(database.db, d.id)).map((c) => ({
          at: c.at,
          blocking: c.blocking,
          findings: c.findings.map((f) => ({
            level: f.level,
            code: f.code,
            message: f.message,
            server: typeof f.server === 'string' ? f.server : null,
          })),
        })),
    }),
    parentRecords: t.stringList({
      description: 'What the parent zone carries for it: NS, glue, DS, or the RFC 2317 CNAMEs.',
      resolve: (d) => {
        const z = reverseZones(d.prefix).find((r) => r.zone === d.zone);
        return z ? renderParentRecords({ ...z, nameservers: d.nameservers, ds: d.ds }) : [];
      },
    }),
  }),
});

const ReverseZoneRef = builder.simpleObject('ReverseZone', {
  description: 'A reverse zone derivable from one of the institution’s active assignments.',
  fields: (t) => ({
    zone: t.string({ description: 'The zone name.' }),
    kind: t.string({ description: '`octet`, `rfc2317` (below /24) or `nibble` (IPv6).' }),
    prefix: t.field({ type: 'IPPrefix', description: 'The addresses it serves.' }),
    parent: t.string({ nullable: true, description: 'RFC 2317: the /24 zone that carries the CNAMEs.' }),
    assignmentId: t.id({ description: 'The assignment it comes from.' }),
    delegation: t.field({
      type: DelegationRef,
      nullable: true,
      description:
        'Its live delegation; else the last one the pre-delegation check sent back (state RETURNED, with the findings), while its request waits for the institution to amend it; else null.',
    }),
  }),
});

builder.objectField(InstitutionRef, 'reverseZones', (t) =>
  t.field({
    type: [ReverseZoneRef],
    description: 'The reverse zones derivable from its active assignments, with their delegation.',
    resolve: async (inst, _a, { database }) =>
      (await institutionZones(database.db, inst.id)).map((z) => ({
        zone: z.zone,
        kind: z.kind,
        prefix: formatPrefix(z.prefix),
        parent: z.parent ?? null,
        assignmentId: z.assignmentId,
        delegation: z.delegation ?? z.returned,
      })),
  }),
);

builder.queryFields((t) => ({
  delegation: t.field({
    type: DelegationRef,
    nullable: true,
    description: 'One reverse delegation; null if it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const row = await getDelegation(database.db, String(id)).catch(() => null);
      return row && canReadInstitution(ctx.actor, row.institutionId) ? row : null;
    },
  }),
}));

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
    submit: f.boolean({ required: false, description: 'Submit at once (default); false keeps a draft.' }),
  }),
});

const DelegationPayload = builder.simpleObject('ReverseDelegationPayload', {
  description: 'The delegation after the action.',
  fields: (f) => ({ delegation: f.field({ type: DelegationRef, description: 'The delegation.' }) }),
});

builder.mutationFields((t) => ({
  requestReverseDelegation: t.field({
    type: builder.simpleObject('RequestReverseDelegationPayload', {
      description: 'The filed request (completed at once when the checks pass).',
      fields: (f) => ({ request: f.field({ type: RequestRef, description: 'The request.' }) }),
    }),
    description:
      'Asks for a reverse-zone delegation (request kind `rdns.delegation`): validated, checked, then published in the operator’s parent zone. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: RequestReverseDelegationInput, description: 'The delegation.' }) },
    resolve: async (_r, { input }, { database, ctx, jobs }) => ({
      request: await fileRequest(
        database.db,
        ctx,
        jobs,
        {
          kind: RDNS_DELEGATION,
          institutionId: String(input.institutionId),
          payload: {
            zone: input.zone,
            nameservers: input.nameservers.map((n) => ({
              name: n.name,
              addresses: n.addresses ?? undefined,
            })),
            ds: input.ds ?? undefined,
          },
          submit: input.submit ?? true,
        },
        { payloadPath: ['input'] },
      ),
    }),
  }),
  withdrawDelegation: t.field({
    type: DelegationPayload,
    description: 'Removes a delegation from the parent zone. NOC.',
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'The delegation.' }) },
    resolve: async (_r, { id }, { database, ctx, logger }) => {
      const delegation = await database.db.transaction((tx) => withdrawDelegation(tx, ctx, String(id)));
      // After commit, so the server loses the records now; the withdrawal stands whatever
      // happens here (rdns.sync-parent-zones pushes again within a minute).
      if (delegation.parentZoneId) {
        await pushParentZone(database.db, delegation.parentZoneId).catch((err: unknown) =>
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
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'The delegation.' }) },
    resolve: async (_r, { id }, { database, ctx, jobs }) => ({
      delegation: (await recheckOne(database.db, ctx, jobs, String(id))).delegation,
    }),
  }),
}));
