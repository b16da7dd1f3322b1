import { actorLabel, IdempotencyError, ValidationError } from '@guichet/core';
import type { GraphQLContext } from '@guichet/graphql';
import {
  claimKey,
  completeKey,
  hashInput,
  KEY_PATTERN,
  type KeyScope,
  releaseKey,
  waitForKey,
} from '@guichet/workflow';
import type { FastifyReply } from 'fastify';
import { type DocumentNode, type ExecutionResult, GraphQLError, Kind, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { exposeError } from './graphql-errors.js';

/** How long a repeat waits for the first call still running before it answers IN_PROGRESS. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
// Codes of answers not worth keeping: the same call may well succeed on a retry.
const RETRYABLE = new Set(['INTERNAL', 'UNAVAILABLE']);

interface Ctx extends GraphQLContext {
  request?: Request;
  reply?: FastifyReply;
}

/**
 * The `Idempotency-Key` header on a mutation: the first call claims the key in the database
 * (see @guichet/workflow's claim protocol), runs, and stores its answer (errors exposed as the
 * client saw them); a repeat with the same operation and variables gets that answer back with
 * `idempotent-replayed: true` and nothing runs again; a repeat while the first still runs
 * waits for it (then IDEMPOTENCY_IN_PROGRESS); the same key with another input is
 * IDEMPOTENCY_CONFLICT. Queries ignore the header; so do anonymous callers (nothing to key on).
 *
 * The call's own transactions commit before its answer is stored: a process killed between the
 * two leaves a running claim that a repeat takes over once its lease (5 minutes) lapses, and
 * that repeat runs the operation again. The filing mutations (every `request…` of a line,
 * `returnPrefix`) file nothing twice then: `fileOnce` (@guichet/workflow) records the filing
 * under a key derived from this one in the filing's own transaction, and the rerun returns the
 * request it filed. Bulk items (`idempotencyKey` per item) commit their key with the item. The
 * other mutations (staff configuration: pools, collectors, parent zones…) keep the window —
 * wrapping any resolver in one transaction with the key would hold it across the resolvers'
 * work done after their commit (pushes to Knot, BIRD deploys), and on PGlite's single
 * connection deadlock every resolver that reads through the root handle. For them the lease
 * takeover reruns the mutation: where a constraint guards the object (a pool's prefix, a
 * unique name) the rerun meets it as a typed conflict, elsewhere it acts a second time.
 */
export function idempotency(): Plugin<Ctx> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue;
      const header = context.request?.headers.get('idempotency-key');
      if (!header || context.ctx.actor.kind === 'anonymous') return;
      const op = operationOf(args.document, args.operationName);
      if (op?.operation !== 'mutation') return;
      if (!KEY_PATTERN.test(header)) {
        setResultAndStopExecution({
          errors: [
            exposeError(
              ValidationError.field(['Idempotency-Key'], 'must be 1 to 200 printable ASCII characters'),
            ),
          ],
        });
        return;
      }
      const { database, config } = context;
      const scope: KeyScope = {
        actor: actorLabel(context.ctx.actor),
        key: header,
        hash: hashInput({
          document: print(args.document),
          operationName: args.operationName ?? null,
          variables: args.variableValues ?? {},
        }),
      };
      const opts = { ttlHours: config.IDEMPOTENCY_TTL_HOURS };
      let claim = await claimKey(database.db, scope, { ...opts, now: context.ctx.clock.now() });
      if (claim.state === 'running') {
        claim = await waitForKey(database.db, scope, {
          ...opts,
          timeoutMs: IDEMPOTENCY_WAIT_MS,
          clock: () => context.ctx.clock.now(),
        });
      }
      if (claim.state === 'conflict' || claim.state === 'running') {
        const code = claim.state === 'conflict' ? 'IDEMPOTENCY_CONFLICT' : 'IDEMPOTENCY_IN_PROGRESS';
        setResultAndStopExecution({ errors: [exposeError(new IdempotencyError(code, header))] });
        return;
      }
      if (claim.state === 'done') {
        context.reply?.header('idempotent-replayed', 'true');
        setResultAndStopExecution(revive(claim.response as StoredResult));
        return;
      }
      // The filing resolvers record their effect under the key in their own transaction.
      context.idempotency = { actor: scope.actor, key: header };
      return {
        async onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return releaseKey(database.db, scope);
          const stored = store(result);
          if (!stored) return releaseKey(database.db, scope);
          await completeKey(database.db, scope, stored);
        },
      };
    },
  };
}

interface StoredError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}
interface StoredResult {
  data?: unknown;
  errors?: StoredError[];
}

/** The answer as the client sees it, or null when it is one to retry rather than replay. */
function store(result: ExecutionResult): StoredResult | null {
  const errors = (result.errors ?? []).map((e) => {
    const shown = exposeError(e) as GraphQLError;
    return { message: shown.message, path: shown.path, extensions: shown.extensions };
  });
  if (errors.some((e) => RETRYABLE.has(String(e.extensions?.code)))) return null;
  return { data: result.data ?? null, ...(errors.length ? { errors } : {}) };
}

/** Stored errors become GraphQLErrors again (without an original error, masking passes them). */
function revive(r: StoredResult): ExecutionResult {
  return {
    data: (r.data ?? null) as ExecutionResult['data'],
    ...(r.errors
      ? {
          errors: r.errors.map(
            (e) => new GraphQLError(e.message, { path: e.path ?? undefined, extensions: e.extensions ?? {} }),
          ),
        }
      : {}),
  };
}

function operationOf(document: DocumentNode, name?: string | null) {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return name ? ops.find((o) => o.name?.value === name) : ops.length === 1 ? ops[0] : undefined;
}
