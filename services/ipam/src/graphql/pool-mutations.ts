import { builder } from '@guichet/graphql';
import { retirePool, updatePool } from '../service/pools.js';
import { NOC, opt, STAFF_ERRORS, staffCall } from './mutations.js';
import { AllocationStrategyEnum, PoolRef } from './types.js';

/** Mending a pool made wrongly: what it says about itself, or retiring it. The NOC's. */

const UpdatePoolInput = builder.inputType('UpdatePoolInput', {
  description:
    'What to change in a pool; absent fields stay as they are. Its prefix, parent and RIPE status are its structure: retire it and create it again to change those.',
  fields: (f) => ({
    id: f.id({ description: 'The pool.' }),
    name: f.string({ required: false, description: 'New name.' }),
    purpose: f.string({ required: false, description: 'What it is for.' }),
    strategy: f.field({
      type: AllocationStrategyEnum,
      required: false,
      description: 'How the next free block is picked from now on.',
    }),
    netname: f.string({
      required: false,
      description: 'Default netname of new assignments (empty: none, each gets its own).',
    }),
    country: f.string({ required: false, description: 'Default country of new assignments, two letters.' }),
    adminC: f.stringList({
      required: false,
      description: 'Default admin-c of new assignments (at least one).',
    }),
    techC: f.stringList({
      required: false,
      description: 'Default tech-c of new assignments (at least one).',
    }),
    mntBy: f.stringList({
      required: false,
      description: 'Default mnt-by of new assignments (at least one).',
    }),
  }),
});

const RetirePoolInput = builder.inputType('RetirePoolInput', {
  description: 'A pool to retire, and why.',
  fields: (f) => ({
    id: f.id({ description: 'The pool.' }),
    reason: f.string({ description: 'Why it is retired (kept with the pool and in the change log).' }),
  }),
});

const UpdatePoolPayload = builder.simpleObject('UpdatePoolPayload', {
  description: 'The pool after the change.',
  fields: (t) => ({ pool: t.field({ type: PoolRef, description: 'The pool.' }) }),
});

const RetirePoolPayload = builder.simpleObject('RetirePoolPayload', {
  description: 'The retired pool.',
  fields: (t) => ({ pool: t.field({ type: PoolRef, description: 'The pool, with `retiredAt`.' }) }),
});

builder.mutationFields((t) => ({
  updatePool: t.field({
    type: UpdatePoolPayload,
    description:
      'Changes a pool’s name, purpose, strategy or the RPSL defaults its new assignments take (assignments already made keep theirs). Recorded in the change log with before and after. NOC.',
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: UpdatePoolInput, required: true, description: 'The change.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      staffCall({}, async () => ({
        pool: await updatePool(database.db, ctx, {
          id: String(input.id),
          name: opt(input.name),
          purpose: opt(input.purpose),
          strategy: opt(input.strategy),
          netname: opt(input.netname),
          country: opt(input.country),
          adminC: opt(input.adminC),
          techC: opt(input.techC),
          mntBy: opt(input.mntBy),
        }),
      })),
  }),
  retirePool: t.field({
    type: RetirePoolPayload,
    description:
      'Retires a pool: nothing is allocated from it any more, its space goes back to its parent, and its prefix may be declared again. Refused while it holds an assignment that is reserved, active, returned or quarantined (`pool-in-use`), a child pool (`pool-has-children`) or a live reservation (`pool-has-reservations`). Retiring twice changes nothing. NOC.',
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: RetirePoolInput, required: true, description: 'The pool and why.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      staffCall({}, async () => ({
        pool: await retirePool(database.db, ctx, { id: String(input.id), reason: input.reason }),
      })),
  }),
}));
