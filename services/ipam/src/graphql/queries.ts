import { batchLoader, builder, keysetConnection, STAFF_READ, selects } from '@guichet/graphql';
import { InstitutionRef, isStaff } from '@guichet/membership';
import { RequestRef } from '@guichet/workflow';
import type { AssignmentRow } from '../service/internal.js';
import { PREFIX_REQUEST } from '../workflow.js';
import { listAssignmentsOfInstitutions } from './prefix-pages.js';
import {
  assignmentOfRequest,
  freeBlocksOf,
  getAssignment,
  getPool,
  listAssignments,
  listPools,
  prefixCursor,
} from './read.js';
import { AssignmentLifecycleEnum, AssignmentRef, IpFamilyEnum, PoolRef, poolLoader } from './types.js';

/** Pools and free space are the operator's; assignments are also their institution's. */

builder.queryFields((t) => ({
  pools: t.connection({
    type: PoolRef,
    description: 'Pools by prefix (IPv4 first), with their utilisation. Operator staff.',
    authScopes: STAFF_READ,
    args: {
      family: t.arg({ type: IpFamilyEnum, required: false, description: 'Only this address family.' }),
      parentId: t.arg.id({ required: false, description: 'Only the direct subdivisions of this pool.' }),
      includeRetired: t.arg.boolean({
        required: false,
        description: 'Retired pools too (default: only the pools in use).',
      }),
    },
    resolve: (_r, args, { database }) =>
      keysetConnection(args, prefixCursor, (after, limit) =>
        listPools(
          database.db,
          {
            family: args.family,
            parentId: args.parentId == null ? null : String(args.parentId),
            includeRetired: args.includeRetired,
          },
          after,
          limit,
        ),
      ),
  }),
  pool: t.field({
    type: PoolRef,
    nullable: true,
    description: 'One pool; null if it does not exist. Operator staff.',
    authScopes: STAFF_READ,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database }) => (await getPool(database.db, String(id))) ?? null,
  }),
  freeBlocks: t.field({
    type: ['IPPrefix'],
    nullable: true,
    description:
      'Free blocks of a given length in a pool, in address order, aligned as the allocator aligns them (IPv6 on a nibble boundary): what could be assigned now. Read from the free list. Null if the pool does not exist. Operator staff.',
    authScopes: STAFF_READ,
    args: {
      poolId: t.arg.id({ required: true, description: 'The pool.' }),
      length: t.arg.int({ required: true, description: 'Prefix length of the blocks wanted, e.g. 48.' }),
      first: t.arg.int({
        required: false,
        description: 'At most this many blocks (default 20, at most 100).',
      }),
    },
    resolve: async (_r, args, { database }) => {
      const pool = await getPool(database.db, String(args.poolId));
      return pool ? freeBlocksOf(database.db, pool, args.length, args.first ?? 20) : null;
    },
  }),
  assignments: t.connection({
    type: AssignmentRef,
    description:
      'Assignments by prefix. Operator staff see all of them; a contact only those of their institution.',
    authScopes: { authenticated: true },
    args: {
      institutionId: t.arg.id({ required: false, description: 'Only those of this institution.' }),
      poolId: t.arg.id({ required: false, description: 'Only those carved from this pool.' }),
      lifecycle: t.arg({
        type: AssignmentLifecycleEnum,
        required: false,
        description: 'Only those in this lifecycle.',
      }),
    },
    resolve: (_r, args, { database, ctx }) =>
      keysetConnection(args, prefixCursor, (after, limit) =>
        listAssignments(
          database.db,
          ctx.actor,
          {
            institutionId: args.institutionId == null ? null : String(args.institutionId),
            poolId: args.poolId == null ? null : String(args.poolId),
            lifecycle: args.lifecycle,
          },
          after,
          limit,
        ),
      ),
  }),
  assignment: t.field({
    type: AssignmentRef,
    nullable: true,
    description: 'One assignment; null if it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) =>
      (await getAssignment(database.db, ctx.actor, String(id))) ?? null,
  }),
}));

// Reached only through an institution the caller may read, so the institution's own rule applies.
builder.objectField(InstitutionRef, 'prefixes', (t) =>
  t.connection({
    type: AssignmentRef,
    description:
      'Its IP prefix assignments by prefix (all lifecycles unless one is named), paged like every list.',
    args: {
      lifecycle: t.arg({
        type: AssignmentLifecycleEnum,
        required: false,
        description: 'Only those in this lifecycle.',
      }),
    },
    // A page of institutions asks with the same arguments for each: one loader per argument
    // set batches them into one statement (a page per institution), not one per institution.
    // When the rows' pools are asked for (staff only), that statement brings them too, each once,
    // and primes the pool loader: Assignment.pool then reads nothing.
    resolve: (inst, args, context, info) => {
      const withPools = isStaff(context.ctx.actor) && selects(info, ['edges', 'node', 'pool']);
      return keysetConnection(args, prefixCursor, (after, limit) =>
        batchLoader<string, AssignmentRow[]>(
          context,
          `ipam.institutionPrefixes:${JSON.stringify([args.lifecycle ?? null, after ?? null, limit, withPools])}`,
          async (ids) => {
            const { pages, pools } = await listAssignmentsOfInstitutions(
              context.database.db,
              context.ctx.actor,
              ids,
              args.lifecycle,
              after,
              limit,
              { withPools },
            );
            const loader = poolLoader(context);
            for (const pool of pools) loader.prime(pool.id, pool);
            return pages;
          },
        ).load(inst.id),
      );
    },
  }),
);

builder.objectField(RequestRef, 'assignment', (t) =>
  t.field({
    type: AssignmentRef,
    nullable: true,
    description: 'For an IP prefix request: the assignment it made, once the NOC has approved it.',
    // Whoever sees the request sees its institution's assignments (same rule).
    resolve: async (r, _a, { database }) =>
      r.kind === PREFIX_REQUEST ? ((await assignmentOfRequest(database.db, r.id)) ?? null) : null,
  }),
);
