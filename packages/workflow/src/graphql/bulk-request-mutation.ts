import {
  actorLabel,
  type DomainError,
  ForbiddenError,
  IdempotencyError,
  ValidationError,
  validationFromIssues,
} from '@guichet/core';
import { type Db, eq } from '@guichet/db';
import { builder, ErrorInterface, type GraphQLContext, WRITE } from '@guichet/graphql';
import type { RequestRow } from '../events.js';
import { claimKeyInTx, completeKey, hashInput, KEY_PATTERN, type KeyScope } from '../idempotency/store.js';
import { fileRequest } from '../requests/service.js';
import { requests } from '../tables.js';
import { REQUEST_ERRORS, RequestRef } from './requests.js';

/**
 * `<name>(input: { items, dryRun })`: many filings of one kind in one call, for scripts (the
 * `guichet apply` command). Each item is its own transaction — a bad item does not undo the
 * good ones — and runs the same `fileRequest` as the single mutation. An item's
 * `idempotencyKey` is claimed inside the item's transaction, so the key, the request and the
 * stored answer commit together: a run cut anywhere leaves finished items (replayed by a
 * re-run) or nothing. `dryRun` runs every item in a transaction rolled back at its end: the
 * server's own rules validate it and nothing is written (not even the key).
 */

export const BULK_MAX_ITEMS = 500;

/** What an item may fail with: the filing errors, plus those thrown rather than returned by a single call. */
const ITEM_ERRORS = [...REQUEST_ERRORS, IdempotencyError, ForbiddenError];

// ForbiddenError is thrown by single mutations; an item carries it so that one refused item
// does not abort the batch. It needs an object type to be returned as an `Error`.
builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'You may not do this (returned only by a bulk item; single mutations throw it).',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

interface ItemResult {
  index: number;
  idempotencyKey: string | null;
  request: RequestRow | null;
  replayed: boolean;
}

const BulkItemResult = builder.objectRef<ItemResult>('BulkItem').implement({
  description: 'One item of a bulk mutation that succeeded (or, in a dry run, would).',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the item in `items` (from 0).' }),
    idempotencyKey: t.exposeString('idempotencyKey', {
      nullable: true,
      description: 'The item’s key, if given.',
    }),
    replayed: t.exposeBoolean('replayed', {
      description:
        'True when the key had already been used with this input: its request is returned, nothing ran.',
    }),
    request: t.field({
      type: RequestRef,
      nullable: true,
      description: 'The filed request (null in a dry run, unless replayed).',
      resolve: (r) => r.request,
    }),
  }),
});

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface BulkRequestMutationOptions<I> {
  kind: string;
  description: string;
  /** The single mutation's input type: each item carries one. */
  // biome-ignore lint/suspicious/noExplicitAny: a Pothos input ref of any shape; the resolver reads it as I
  input: any;
  payload: (input: I, context: GraphQLContext) => unknown | Promise<unknown>;
  rename?: Record<string, string>;
}

interface BulkOutcome {
  dryRun: boolean;
  results: (ItemResult | DomainError)[];
}

class DryRun {
  constructor(readonly request: RequestRow) {}
}

export function bulkRequestMutation<I extends { institutionId: string | number; submit?: boolean | null }>(
  name: string,
  o: BulkRequestMutationOptions<I>,
): void {
  const Name = upperFirst(name);
  const Item = builder.inputType(`${Name}Item`, {
    description: 'One item: what is asked for, and the key that makes a repeat of it a no-op.',
    fields: (f) => ({
      idempotencyKey: f.string({
        required: false,
        description:
          'Makes the item idempotent for you: a repeat with the same input returns its request without filing again; with another input it fails with IDEMPOTENCY_CONFLICT. Up to 200 printable ASCII characters.',
      }),
      input: f.field({ type: o.input, required: true, description: 'What is asked for.' }),
    }),
  });
  const Input = builder.inputType(`${Name}Input`, {
    description: `Items to file, ${BULK_MAX_ITEMS} at most per call.`,
    fields: (f) => ({
      items: f.field({
        type: [Item],
        required: true,
        description: `The items, at most ${BULK_MAX_ITEMS}; each is filed in its own transaction.`,
      }),
      dryRun: f.boolean({
        required: false,
        description: 'Validate every item through the same rules, then roll it back: nothing is written.',
      }),
    }),
  });
  const Payload = builder.objectRef<BulkOutcome>(`${Name}Payload`).implement({
    description: 'One result per item, in the order of the items.',
    fields: (t) => ({
      dryRun: t.exposeBoolean('dryRun', { description: 'Whether this was a dry run (nothing written).' }),
      succeeded: t.int({
        description: 'Items that succeeded (or would).',
        resolve: (o) => o.results.filter((r) => !(r instanceof Error)).length,
      }),
      failed: t.int({
        description: 'Items that failed (nothing of them was written).',
        resolve: (o) => o.results.filter((r) => r instanceof Error).length,
      }),
      results: t.field({
        type: [BulkItemResult],
        description:
          'One result per item, in the order of `items`: the item, or the typed error that stopped it.',
        itemErrors: {
          types: ITEM_ERRORS,
          union: {
            name: `${Name}ItemResult`,
            description: 'One item of the batch: its request, or the typed error that item met.',
          },
        },
        resolve: (o) => o.results as ItemResult[],
      }),
    }),
  });

  builder.mutationField(name, (t) =>
    t.field({
      type: Payload,
      description: `${o.description} At most ${BULK_MAX_ITEMS} items per call.`,
      authScopes: WRITE,
      errors: { types: [ValidationError] },
      args: { input: t.arg({ type: Input, required: true, description: 'The items.' }) },
      resolve: async (_r, args, context) => {
        const { items, dryRun } = (
          args as {
            input: { items: { idempotencyKey?: string | null; input: I }[]; dryRun?: boolean | null };
          }
        ).input;
        if (items.length > BULK_MAX_ITEMS) {
          throw ValidationError.field(
            ['input', 'items'],
            `at most ${BULK_MAX_ITEMS} items per call (got ${items.length})`,
          );
        }
        const results: (ItemResult | DomainError)[] = [];
        for (const [index, item] of items.entries()) {
          results.push(await runItem(context, o, index, item, dryRun ?? false));
        }
        return { dryRun: dryRun ?? false, results };
      },
    }),
  );
}

async function runItem<I extends { institutionId: string | number; submit?: boolean | null }>(
  context: GraphQLContext,
  o: BulkRequestMutationOptions<I>,
  index: number,
  item: { idempotencyKey?: string | null; input: I },
  dryRun: boolean,
): Promise<ItemResult | DomainError> {
  const key = item.idempotencyKey ?? null;
  const base = { index, idempotencyKey: key };
  const at = ['input', 'items', String(index), 'input'];
  try {
    if (key !== null && !KEY_PATTERN.test(key)) {
      throw ValidationError.field(
        ['input', 'items', String(index), 'idempotencyKey'],
        'must be 1 to 200 printable ASCII characters',
      );
    }
    const { ctx, database, env, config } = context;
    const scope: KeyScope | null =
      key === null
        ? null
        : { actor: actorLabel(ctx.actor), key, hash: hashInput({ kind: o.kind, input: item.input }) };
    const out = await database.db.transaction(async (tx) => {
      if (scope) {
        const done = await claimKeyInTx(tx, scope, {
          now: ctx.clock.now(),
          ttlHours: config.IDEMPOTENCY_TTL_HOURS,
        });
        if (done) {
          const id = String((done.response as { requestId: string }).requestId);
          const [req] = await tx.select().from(requests).where(eq(requests.id, id));
          return { request: req ?? null, replayed: true };
        }
      }
      const request = await fileRequest(
        // A nested transaction is a savepoint: the filing and the key commit together.
        tx as unknown as Db,
        ctx,
        env,
        {
          kind: o.kind,
          institutionId: String(item.input.institutionId),
          payload: await o.payload(item.input, context),
          submit: item.input.submit ?? true,
        },
        { payloadPath: at },
      );
      if (scope) await completeKey(tx, scope, { requestId: request.id });
      if (dryRun) throw new DryRun(request);
      return { request, replayed: false };
    });
    return { ...base, ...out };
  } catch (e) {
    if (e instanceof DryRun) return { ...base, request: null, replayed: false };
    const err = o.rename ? renameItemPaths(e, o.rename) : e;
    if (ITEM_ERRORS.some((c) => err instanceof c)) {
      return err as DomainError;
    }
    throw err;
  }
}

/** `renameIssuePaths` one level down: the item's input sits at `input.items.<i>.input`. */
function renameItemPaths(e: unknown, names: Record<string, string>): unknown {
  if (!(e instanceof ValidationError)) return e;
  return validationFromIssues(
    e.issues.map((i) => ({
      ...i,
      path: i.path.map((p, k) =>
        k === 4 && i.path[3] === 'input' && typeof p === 'string' ? (names[p] ?? p) : p,
      ),
    })),
  );
}
