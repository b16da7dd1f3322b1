import { ValidationError, validationFromIssues } from '@guichet/core';
import { eq } from '@guichet/db';
import { type GraphQLContext, WRITE } from '@guichet/graphql';
import type { RequestRow } from '../events.js';
import { fileRequest } from '../requests/service.js';
import { requests } from '../tables.js';
import { BULK_MAX_ITEMS, type BulkOutcome, bulkItemType, bulkMutation } from './bulk-mutation.js';
import { REQUEST_ERRORS, RequestRef } from './requests.js';

/**
 * `<name>(input: { items, dryRun })`: many filings of one kind in one call (`guichet apply`),
 * on `bulkMutation`'s contract. Each item runs the same `fileRequest` as the single mutation;
 * its key stores the request's id, and a replay reads that request again.
 */

/** Shared by every bulk filing, so that a script reads any of them with one fragment. */
const BulkItemResult = bulkItemType<RequestRow>(
  'BulkItem',
  {
    description: 'One item of a bulk mutation that succeeded (or, in a dry run, would).',
    replayed: 'its request is returned',
  },
  (t) => ({
    request: t.field({
      type: RequestRef,
      nullable: true,
      description: 'The filed request (null in a dry run, unless replayed).',
      resolve: (r: BulkOutcome<RequestRow>) => r.value,
    }),
  }),
);

export interface BulkRequestMutationOptions<I> {
  kind: string;
  description: string;
  /** The single mutation's input type: each item carries one. */
  // biome-ignore lint/suspicious/noExplicitAny: a Pothos input ref of any shape; the resolver reads it as I
  input: any;
  payload: (input: I, context: GraphQLContext) => unknown | Promise<unknown>;
  rename?: Record<string, string>;
}

export function bulkRequestMutation<I extends { institutionId: string | number; submit?: boolean | null }>(
  name: string,
  o: BulkRequestMutationOptions<I>,
): void {
  bulkMutation<I, RequestRow>(name, {
    kind: o.kind,
    description: o.description,
    input: o.input,
    authScopes: WRITE,
    errors: REQUEST_ERRORS,
    result: BulkItemResult,
    texts: {
      item: 'One item: what is asked for, and the key that makes a repeat of it a no-op.',
      key: 'Makes the item idempotent for you: a repeat with the same input returns its request without filing again; with another input it fails with IDEMPOTENCY_CONFLICT. Up to 200 printable ASCII characters.',
      itemInput: 'What is asked for.',
      input: `Items to file, ${BULK_MAX_ITEMS} at most per call.`,
      items: `The items, at most ${BULK_MAX_ITEMS}; each is filed in its own transaction.`,
      dryRun: 'Validate every item through the same rules, then roll it back: nothing is written.',
      results: 'One result per item, in the order of `items`: the item, or the typed error that stopped it.',
      union: 'One item of the batch: its request, or the typed error that item met.',
    },
    run: async (db, input, context, at) => {
      try {
        const request = await fileRequest(
          db,
          context.ctx,
          context.env,
          {
            kind: o.kind,
            institutionId: String(input.institutionId),
            payload: await o.payload(input, context),
            submit: input.submit ?? true,
          },
          { payloadPath: at },
        );
        return { value: request, stored: { requestId: request.id } };
      } catch (e) {
        throw o.rename ? renameItemPaths(e, o.rename) : e;
      }
    },
    replay: async (tx, stored) => {
      const id = String((stored as { requestId: string }).requestId);
      const [req] = await tx.select().from(requests).where(eq(requests.id, id));
      return req ?? null;
    },
  });
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
