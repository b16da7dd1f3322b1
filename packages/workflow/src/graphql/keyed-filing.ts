import { type Db, eq } from '@guichet/db';
import type { GraphQLContext } from '@guichet/graphql';
import type { RequestRow } from '../events.js';
import { claimKeyInTx, completeKey, hashInput, type KeyScope } from '../idempotency/store.js';
import { requests } from '../tables.js';

/**
 * Files a request at most once per Idempotency-Key. The api's plugin stores a keyed call's
 * answer only after the call's own transactions commit; a process killed in between leaves a
 * running claim that a repeat takes over once its lease lapses, and runs the resolver again.
 * So the filing records its own effect: a second key, derived from the header's and the
 * field's response name, claimed in the filing's transaction and completed with the request's
 * id before it commits. Either the request and that key commit together, or neither does; the
 * resolver run again finds the key done and returns the request it filed, filing nothing.
 *
 * The derived key holds a space, which no client key may (KEY_PATTERN), so it cannot collide
 * with a key a client chose. Without a header (or for a bulk item, keyed by its own
 * `idempotencyKey`) `file` simply runs.
 */
export async function fileOnce(
  context: GraphQLContext,
  field: string,
  input: unknown,
  file: (db: Db) => Promise<RequestRow>,
): Promise<RequestRow> {
  const keyed = context.idempotency;
  if (!keyed) return file(context.database.db);
  const scope: KeyScope = {
    actor: keyed.actor,
    key: `effect ${field} ${keyed.key}`,
    hash: hashInput({ field, input }),
  };
  const { ctx, config } = context;
  return context.database.db.transaction(async (tx) => {
    const done = await claimKeyInTx(tx, scope, {
      now: ctx.clock.now(),
      ttlHours: config.IDEMPOTENCY_TTL_HOURS,
    });
    if (done) {
      const id = String((done.response as { requestId: string }).requestId);
      const [req] = await tx.select().from(requests).where(eq(requests.id, id));
      if (req) return req;
    }
    // A nested transaction is a savepoint: the filing and the key commit together.
    const request = await file(tx as unknown as Db);
    await completeKey(tx, scope, { requestId: request.id });
    return request;
  });
}
