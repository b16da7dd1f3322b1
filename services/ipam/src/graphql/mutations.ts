import {
  ConflictError,
  NotFoundError,
  PolicyRefusalError,
  renameIssuePaths,
  ValidationError,
} from '@guichet/core';
import { translatePgError } from '@guichet/db';
import { builder, NOC_WRITE } from '@guichet/graphql';
import {
  bulkRequestMutation,
  fileOnce,
  fileRequest,
  opt,
  optId,
  REQUEST_ERRORS,
  RequestRef,
  requestMutation,
} from '@guichet/workflow';
import { assignPrefix } from '../service/allocate.js';
import { releaseReservation, reservePrefix } from '../service/lifecycle.js';
import { createPool } from '../service/pools.js';
import { PREFIX_REQUEST, RETURN_REQUEST } from '../workflow.js';
import { getAssignment } from './read.js';
import {
  AllocationStrategyEnum,
  AssignmentRef,
  IpFamilyEnum,
  PoolRef,
  ReservationKindEnum,
  ReservationRef,
} from './types.js';

/**
 * ipam mutations. Filing (`requestPrefix`, `returnPrefix`) goes through the request engine,
 * which decides who may file (a technical contact of the institution, or the desk). The
 * staff mutations call the service functions, which allow the NOC (admin stands in) only.
 */

/**
 * The constraints are the backstop (overlap, uniqueness, inside the pool): when one fires, the
 * caller gets a typed error instead of a crash.
 */
function fromDatabase(e: unknown): unknown {
  return translatePgError(e, {
    conflict: 'overlaps or duplicates existing space',
    checksArePolicy: true,
    missing: (c) => (c.includes('institution') ? 'Institution' : c.includes('site') ? 'Site' : 'Object'),
  });
}

export async function staffCall<T>(names: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw renameIssuePaths(fromDatabase(e), names);
  }
}

export const STAFF_ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];
export const NOC = NOC_WRITE;
// Filing errors have paths in this input: the payload is the input.
const AT_INPUT = { payloadPath: ['input'] };

/** GraphQL gives null for absent optional fields; services want undefined. */
export { opt };

const submitField = (f: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) =>
  f.boolean({
    required: false,
    description: 'Submit at once (default); false keeps a draft to amend and submit later.',
  });

// --- filing -------------------------------------------------------------------------------

const RequestPrefixInput = builder.inputType('RequestPrefixInput', {
  description:
    'IP space for an institution. An IPv6 /48 for a site needs no documentation; anything shorter, and any IPv4, needs a justification (RIPE policy).',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution the prefix is for.' }),
    family: f.field({ type: IpFamilyEnum, description: 'IPv4 or IPv6.' }),
    length: f.int({ description: 'Prefix length wanted, e.g. 48 (IPv6) or 26 (IPv4).' }),
    siteId: f.id({ required: false, description: 'The site it serves (one of the institution’s sites).' }),
    purpose: f.string({ description: 'What it is for.', maxLength: 500 }),
    justification: f.string({
      required: false,
      description: 'The documentation RIPE asks for: the usage description (IPv4, IPv6 shorter than /48).',
      maxLength: 4000,
    }),
    submit: submitField(f),
  }),
});

const ReturnPrefixInput = builder.inputType('ReturnPrefixInput', {
  description: 'A prefix the institution gives back; it is quarantined before the space is reused.',
  fields: (f) => ({
    assignmentId: f.id({ description: 'The assignment given back.' }),
    reason: f.string({ description: 'Why it is given back.', maxLength: 2000 }),
    submit: submitField(f),
  }),
});

const ReturnPrefixPayload = builder.simpleObject('ReturnPrefixPayload', {
  description: 'The filed request and the assignment after it.',
  fields: (t) => ({
    request: t.field({ type: RequestRef, description: 'The request.' }),
    assignment: t.field({
      type: AssignmentRef,
      description: 'The assignment (returned, then quarantined, once the request completes).',
    }),
  }),
});

interface RequestPrefixShape {
  institutionId: string | number;
  family: 4 | 6;
  length: number;
  siteId?: string | number | null;
  purpose: string;
  justification?: string | null;
  submit?: boolean | null;
}

const prefixPayload = (input: RequestPrefixShape) => ({
  family: input.family,
  size: input.length,
  siteId: optId(input.siteId),
  purpose: input.purpose,
  justification: opt(input.justification),
});

requestMutation<RequestPrefixShape>('requestPrefix', {
  kind: PREFIX_REQUEST,
  description:
    'Asks for an IPv4 or IPv6 prefix (request kind `ipam.prefix`): validated against RIPE policy, approved by the NOC (the prefix is allocated then), registered, then active. A technical contact of the institution, or the desk.',
  input: RequestPrefixInput,
  payloadDescription: 'The filed request; its `assignment` appears once the NOC has approved it.',
  payload: prefixPayload,
  rename: { size: 'length' },
});

bulkRequestMutation<RequestPrefixShape>('requestPrefixes', {
  kind: PREFIX_REQUEST,
  description:
    'Files many prefix requests (as `requestPrefix`, one transaction per item, each with an optional idempotency key): one result per item, payload or typed error.',
  input: RequestPrefixInput,
  payload: prefixPayload,
  rename: { size: 'length' },
});

builder.mutationFields((t) => ({
  returnPrefix: t.field({
    type: ReturnPrefixPayload,
    description:
      'Gives a prefix back (request kind `ipam.return`): it is returned, then quarantined before reuse. A technical contact of its institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: ReturnPrefixInput, required: true, description: 'What is given back.' }) },
    resolve: async (_r, { input }, context, info) => {
      const { database, ctx, env } = context;
      const id = String(input.assignmentId);
      // Another institution's assignment does not exist for the caller.
      const a = await getAssignment(database.db, ctx.actor, id);
      if (!a) throw new NotFoundError('Assignment', id);
      const request = await fileOnce(
        context,
        info.path.key.toString(),
        { kind: RETURN_REQUEST, input },
        (db) =>
          fileRequest(
            db,
            ctx,
            env,
            {
              kind: RETURN_REQUEST,
              institutionId: a.institutionId,
              payload: { assignmentId: id, reason: input.reason },
              submit: input.submit ?? true,
            },
            AT_INPUT,
          ),
      );
      const assignment = (await getAssignment(database.db, ctx.actor, id)) ?? a;
      return { request, assignment };
    },
  }),
}));

// --- staff --------------------------------------------------------------------------------

const rpslFields = (f: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0], what: string) => ({
  netname: f.string({ required: false, description: `RPSL netname${what}.` }),
  country: f.string({ required: false, description: `RPSL country, two letters${what}.` }),
  adminC: f.stringList({ required: false, description: `RPSL admin-c (NIC handles)${what}.` }),
  techC: f.stringList({ required: false, description: `RPSL tech-c (NIC handles)${what}.` }),
  mntBy: f.stringList({ required: false, description: `RPSL mnt-by (maintainers)${what}.` }),
});

const CreatePoolInput = builder.inputType('CreatePoolInput', {
  description: 'A pool: space from the RIR (no parent) or a subdivision of a pool.',
  fields: (f) => ({
    name: f.string({ description: 'Name.' }),
    prefix: f.field({ type: 'IPPrefix', description: 'The block.' }),
    parentId: f.id({
      required: false,
      description: 'The pool it is carved from; absent for space from the RIR.',
    }),
    ripeStatus: f.string({
      description:
        'RIPE status: `ALLOCATED PA` or `ALLOCATED-BY-RIR` for space from the RIR; `LIR-PARTITIONED PA`, `SUB-ALLOCATED PA`, `ALLOCATED-BY-LIR`, `AGGREGATED-BY-LIR` below.',
    }),
    assignmentSize: f.int({
      required: false,
      description: 'For AGGREGATED-BY-LIR: the size of every assignment in it.',
    }),
    purpose: f.string({ description: 'What it is for.', maxLength: 500 }),
    strategy: f.field({
      type: AllocationStrategyEnum,
      required: false,
      description: 'How the next free block is picked (default: best-fit for IPv4, sparse for IPv6).',
    }),
    ...rpslFields(
      f,
      ', the default of its assignments (mnt-by, admin-c and tech-c are required: given here or on the parent pool)',
    ),
    acceptBogon: f.boolean({
      required: false,
      description:
        'Accept space the Internet does not route (documentation, private, shared…) for a lab or a test pool. Refused otherwise (rule `bogon`): routing refuses to announce it and the RIPE database holds no object for it.',
    }),
  }),
});

const AssignPrefixInput = builder.inputType('AssignPrefixInput', {
  description:
    'A prefix chosen by the NOC, with the same rules as an allocation: inside the pool, aligned, free.',
  fields: (f) => ({
    poolId: f.id({ description: 'The pool.' }),
    prefix: f.field({ type: 'IPPrefix', description: 'The prefix.' }),
    institutionId: f.id({ description: 'The institution it is assigned to.' }),
    siteId: f.id({ required: false, description: 'The site it serves.' }),
    purpose: f.string({ description: 'What it is for.', maxLength: 500 }),
    justification: f.string({
      required: false,
      description: 'The documentation RIPE asks for (IPv4, IPv6 shorter than /48).',
      maxLength: 4000,
    }),
    descr: f.string({ required: false, description: 'RPSL descr.', maxLength: 500 }),
    ...rpslFields(f, ' (default: the pool’s)'),
  }),
});

const ReservePrefixInput = builder.inputType('ReservePrefixInput', {
  description: 'Space to hold in a pool: a given prefix, or the next free block of a length.',
  fields: (f) => ({
    poolId: f.id({ description: 'The pool.' }),
    prefix: f.field({ type: 'IPPrefix', required: false, description: 'The block to hold.' }),
    length: f.int({
      required: false,
      description: 'Without a prefix: the length of the next free block to hold (default /24 or /48).',
    }),
    kind: f.field({
      type: ReservationKindEnum,
      required: false,
      description: 'Growth room or hold (default).',
    }),
    institutionId: f.id({ required: false, description: 'The institution it is held for.' }),
    assignmentId: f.id({ required: false, description: 'The assignment it is growth room for.' }),
    reason: f.string({ description: 'Why it is held.', maxLength: 1000 }),
    expiresAt: f.field({
      type: 'DateTime',
      required: false,
      description: 'When the expiry job releases it; absent for no expiry.',
    }),
  }),
});

const CreatePoolPayload = builder.simpleObject('CreatePoolPayload', {
  description: 'The new pool.',
  fields: (t) => ({ pool: t.field({ type: PoolRef, description: 'The pool.' }) }),
});
const AssignPrefixPayload = builder.simpleObject('AssignPrefixPayload', {
  description: 'The new assignment, active.',
  fields: (t) => ({ assignment: t.field({ type: AssignmentRef, description: 'The assignment.' }) }),
});
const ReservePrefixPayload = builder.simpleObject('ReservePrefixPayload', {
  description: 'The new reservation.',
  fields: (t) => ({ reservation: t.field({ type: ReservationRef, description: 'The reservation.' }) }),
});
const ReleaseReservationPayload = builder.simpleObject('ReleaseReservationPayload', {
  description: 'The reservation, released: its space is free again.',
  fields: (t) => ({ reservation: t.field({ type: ReservationRef, description: 'The reservation.' }) }),
});

builder.mutationFields((t) => ({
  createPool: t.field({
    type: CreatePoolPayload,
    description:
      'Creates a pool; a subdivision is carved out of its parent’s free space. Checked first: no bogon space (rule `bogon`, unless `acceptBogon`), the RIPE status/parent rules, and mnt-by, admin-c and tech-c present, given or inherited from the parent (rule `rpsl-mandatory`). NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: CreatePoolInput, required: true, description: 'The pool.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      staffCall({ status: 'ripeStatus' }, async () => ({
        pool: await createPool(database.db, ctx, {
          name: input.name,
          prefix: input.prefix,
          parentId: optId(input.parentId),
          status: input.ripeStatus,
          assignmentSize: opt(input.assignmentSize),
          purpose: input.purpose,
          strategy: opt(input.strategy),
          netname: opt(input.netname),
          country: opt(input.country),
          adminC: opt(input.adminC),
          techC: opt(input.techC),
          mntBy: opt(input.mntBy),
          acceptBogon: opt(input.acceptBogon),
        }),
      })),
  }),
  assignPrefix: t.field({
    type: AssignPrefixPayload,
    description:
      'Assigns a prefix chosen by hand, active at once, with the same rules as an allocation (inside the pool, aligned, free, RIPE documentation). NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: AssignPrefixInput, required: true, description: 'The assignment.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      staffCall({}, async () => ({
        assignment: await assignPrefix(database.db, ctx, {
          poolId: String(input.poolId),
          prefix: input.prefix,
          institutionId: String(input.institutionId),
          siteId: optId(input.siteId),
          purpose: input.purpose,
          justification: opt(input.justification),
          descr: opt(input.descr),
          netname: opt(input.netname),
          country: opt(input.country),
          adminC: opt(input.adminC),
          techC: opt(input.techC),
          mntBy: opt(input.mntBy),
        }),
      })),
  }),
  reservePrefix: t.field({
    type: ReservePrefixPayload,
    description: 'Holds space in a pool: a given prefix, or the next free block of a length. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: ReservePrefixInput, required: true, description: 'The reservation.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      staffCall({}, async () => ({
        reservation: await reservePrefix(database.db, ctx, {
          poolId: String(input.poolId),
          prefix: opt(input.prefix),
          length: opt(input.length),
          kind: opt(input.kind),
          institutionId: optId(input.institutionId),
          assignmentId: optId(input.assignmentId),
          reason: input.reason,
          expiresAt: opt(input.expiresAt),
        }),
      })),
  }),
  releaseReservation: t.field({
    type: ReleaseReservationPayload,
    description:
      'Releases a reservation: its space is free again at once. Releasing twice changes nothing. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { id: t.arg.id({ required: true, description: 'The reservation.' }) },
    resolve: (_r, { id }, { database, ctx }) =>
      staffCall({}, async () => ({
        reservation: await releaseReservation(database.db, ctx, String(id)),
      })),
  }),
}));
