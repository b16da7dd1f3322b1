import {
  actorLabel,
  type DomainError,
  ForbiddenError,
  IdempotencyError,
  ValidationError,
  validationFromIssues,
} from '@guichet/core';
import type { Db, Tx } from '@guichet/db';
import { builder, ErrorInterface, type GraphQLContext } from '@guichet/graphql';
import { claimKeyInTx, completeKey, hashInput, KEY_PATTERN, type KeyScope } from '../idempotency/store.js';

/**
 * `<name>(input: { items, dryRun })`: many of one action in one call, for scripts (`guichet
 * apply`; filings through `bulkRequestMutation`, ticket actions, eduroam site declarations).
 * Each item is its own transaction — a bad item does not undo the good ones. An item's
 * `idempotencyKey` is claimed and completed inside the item's transaction, so the key, the
 * writes and the stored answer commit together: a run cut anywhere leaves finished items
 * (replayed by a re-run) or nothing. `dryRun` rolls each item back at its end: the server's own
 * rules check it and nothing is written (not even the key). `run` gets the item's transaction as
 * a `Db`: the service's own `db.transaction` becomes a savepoint.
 */

export const BULK_MAX_ITEMS = 500;

// ForbiddenError is thrown by single mutations; an item carries it so that one refused item
// does not abort the batch. It needs an object type to be returned as an `Error`.
builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'You may not do this (returned only by a bulk item; single mutations throw it).',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

export interface BulkOutcome<V> {
  index: number;
  idempotencyKey: string | null;
  replayed: boolean;
  /** null in a dry run. */
  value: V | null;
}

/** The schema's wording of a bulk mutation (filings say "request", "filed" where others say "result", "run"). */
export interface BulkTexts {
  item: string;
  key: string;
  itemInput: string;
  input: string;
  items: string;
  dryRun: string;
  results: string;
  union: string;
}

const TEXTS: BulkTexts = {
  item: 'One item: what to do, and the key that makes a repeat of it a no-op.',
  key: 'Makes the item idempotent for you: a repeat with the same input returns the first result without acting again; with another input it fails with IDEMPOTENCY_CONFLICT. Up to 200 printable ASCII characters.',
  itemInput: 'What to do.',
  input: `Items, ${BULK_MAX_ITEMS} at most per call.`,
  items: `The items, at most ${BULK_MAX_ITEMS}; each runs in its own transaction.`,
  dryRun: 'Check every item through the same rules, then roll it back: nothing is written.',
  results: 'One result per item, in the order of `items`: its result, or the typed error it met.',
  union: 'One item of the batch: its result or its typed error.',
};

export interface BulkMutationOptions<I, V> {
  /** Names what is hashed with the input: a key reused for another mutation is a conflict. */
  kind: string;
  description: string;
  // biome-ignore lint/suspicious/noExplicitAny: a Pothos input ref of any shape; run reads it as I
  input: any;
  /** The fields of the item result `<Name>Done` beyond index/idempotencyKey/replayed (they read `value`). */
  // biome-ignore lint/suspicious/noExplicitAny: Pothos field builder of the item result
  fields?: (t: any) => Record<string, unknown>;
  /** Instead of `fields`: an item result type shared by several bulk mutations (`BulkItem`). */
  // biome-ignore lint/suspicious/noExplicitAny: a Pothos object ref of BulkOutcome<V>
  result?: any;
  texts?: Partial<BulkTexts>;
  /** Error classes an item may return (ValidationError, IdempotencyError, ForbiddenError are added). */
  // biome-ignore lint/suspicious/noExplicitAny: error classes
  errors: any[];
  // biome-ignore lint/suspicious/noExplicitAny: Pothos auth scopes
  authScopes: any;
  /** Does the item; returns its value and what the key stores to replay it. */
  run: (db: Db, input: I, context: GraphQLContext, at: string[]) => Promise<{ value: V; stored: unknown }>;
  /** The value of a finished key, read again (the same actor: what it saw then, it sees now). */
  replay: (tx: Tx, stored: unknown, context: GraphQLContext) => Promise<V | null>;
}

class DryRun {}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function bulkMutation<I, V>(name: string, o: BulkMutationOptions<I, V>): void {
  const Name = upperFirst(name);
  const texts = { ...TEXTS, ...o.texts };
  const itemErrors = [...new Set([ValidationError, IdempotencyError, ForbiddenError, ...o.errors])];
  const Item = builder.inputType(`${Name}Item`, {
    description: texts.item,
    fields: (f) => ({
      idempotencyKey: f.string({ required: false, description: texts.key }),
      input: f.field({ type: o.input, required: true, description: texts.itemInput }),
    }),
  });
  const Input = builder.inputType(`${Name}Input`, {
    description: texts.input,
    fields: (f) => ({
      items: f.field({ type: [Item], required: true, description: texts.items }),
      dryRun: f.boolean({ required: false, description: texts.dryRun }),
    }),
  });
  const Result =
    o.result ??
    bulkItemType<V>(
      `${Name}Done`,
      {
        description: 'One item of the batch that succeeded (or, in a dry run, would).',
        replayed: 'its result is returned',
      },
      (t) => o.fields?.(t) ?? {},
    );
  const Payload = builder.objectRef<{ dryRun: boolean; results: (BulkOutcome<V> | DomainError)[] }>(
    `${Name}Payload`,
  );
  Payload.implement({
    description: 'One result per item, in the order of the items.',
    fields: (t) => ({
      dryRun: t.exposeBoolean('dryRun', { description: 'Whether this was a dry run (nothing written).' }),
      succeeded: t.int({
        description: 'Items that succeeded (or would).',
        resolve: (p) => p.results.filter((r) => !(r instanceof Error)).length,
      }),
      failed: t.int({
        description: 'Items that failed (nothing of them was written).',
        resolve: (p) => p.results.filter((r) => r instanceof Error).length,
      }),
      results: t.field({
        type: [Result],
        description: texts.results,
        itemErrors: {
          types: itemErrors,
          union: { name: `${Name}ItemResult`, description: texts.union },
        },
        resolve: (p) => p.results as BulkOutcome<V>[],
      }),
    }),
  });

  builder.mutationField(name, (t) =>
    t.field({
      type: Payload,
      description: `${o.description} At most ${BULK_MAX_ITEMS} items per call.`,
      authScopes: o.authScopes,
      errors: { types: [ValidationError] },
      args: { input: t.arg({ type: Input, required: true, description: 'The items.' }) },
      resolve: async (_r, args, context) => {
        const { items, dryRun } = (
          args as {
            input: { items: { idempotencyKey?: string | null; input: I }[]; dryRun?: boolean | null };
          }
        ).input;
        if (items.length > BULK_MAX_ITEMS)
          throw ValidationError.field(
            ['input', 'items'],
            `at most ${BULK_MAX_ITEMS} items per call (got ${items.length})`,
          );
        const results: (BulkOutcome<V> | DomainError)[] = [];
        for (const [index, item] of items.entries())
          results.push(await runItem(context, o, itemErrors, index, item, dryRun ?? false));
        return { dryRun: dryRun ?? false, results };
      },
    }),
  );
}

/** The object type of an item that succeeded: its position, its key, and `fields` reading its value. */
export function bulkItemType<V>(
  name: string,
  texts: { description: string; replayed: string },
  // biome-ignore lint/suspicious/noExplicitAny: Pothos field builder of the item result
  fields: (t: any) => Record<string, unknown>,
) {
  return builder.objectRef<BulkOutcome<V>>(name).implement({
    description: texts.description,
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Position of the item in `items` (from 0).' }),
      idempotencyKey: t.exposeString('idempotencyKey', {
        nullable: true,
        description: 'The item’s key, if given.',
      }),
      replayed: t.exposeBoolean('replayed', {
        description: `True when the key had already been used with this input: ${texts.replayed}, nothing ran.`,
      }),
      ...fields(t),
    }),
  });
}

async function runItem<I, V>(
  context: GraphQLContext,
  o: BulkMutationOptions<I, V>,
  // biome-ignore lint/suspicious/noExplicitAny: error classes
  itemErrors: any[],
  index: number,
  item: { idempotencyKey?: string | null; input: I },
  dryRun: boolean,
): Promise<BulkOutcome<V> | DomainError> {
  const key = item.idempotencyKey ?? null;
  const at = ['input', 'items', String(index), 'input'];
  try {
    if (key !== null && !KEY_PATTERN.test(key))
      throw ValidationError.field(
        ['input', 'items', String(index), 'idempotencyKey'],
        'must be 1 to 200 printable ASCII characters',
      );
    const { ctx, database, config } = context;
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
        if (done) return { value: await o.replay(tx, done.response, context), replayed: true };
      }
      const { value, stored } = await o.run(tx as unknown as Db, item.input, context, at);
      if (scope) await completeKey(tx, scope, stored);
      if (dryRun) throw new DryRun();
      return { value, replayed: false };
    });
    return { index, idempotencyKey: key, ...out };
  } catch (e) {
    if (e instanceof DryRun) return { index, idempotencyKey: key, replayed: false, value: null };
    if (itemErrors.some((c) => e instanceof c)) return e as DomainError;
    throw e;
  }
}

/**
 * A service's ValidationError paths (`input.<field>`, as the single mutation reports them) moved
 * under the item: `input.items.<i>.input.<under…>.<field>`.
 */
export function underItem(e: unknown, at: string[], under: string[] = []): unknown {
  if (!(e instanceof ValidationError)) return e;
  return validationFromIssues(
    e.issues.map((i) => ({
      ...i,
      path: [...at, ...under, ...(i.path[0] === 'input' ? i.path.slice(1) : i.path)],
    })),
  );
}
