import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  ConflictError,
  ForbiddenError,
  isUuid,
  NotFoundError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, type Db, eq, isNull, one } from '@guichet/db';
import { type EngineDeps, lockRequestForLine, reconsiderStep, returnFromLine } from '@guichet/workflow';
import { z } from 'zod';
import { endpoints } from '../tables.js';
import { mayActFor, mayRead } from './access.js';

/**
 * Another institution's site as an endpoint: that institution's technical contact agrees (the
 * order's `consent` step then approves itself once no consent is pending) or refuses (the
 * order is returned to the filer with the reason, to drop that site or talk it over).
 */

export const consentSchema = z.object({
  endpointId: z.string(),
  agree: z.boolean(),
  reason: z.string().trim().max(2000).optional(),
});

export async function consentToEndpoint(
  db: Db,
  ctx: RequestContext,
  deps: EngineDeps,
  input: z.input<typeof consentSchema>,
) {
  const v = parseInput(consentSchema, input);
  if (!isUuid(v.endpointId)) throw new NotFoundError('CircuitEndpoint', v.endpointId);
  return db.transaction(async (tx) => {
    const [peek] = await tx.select().from(endpoints).where(eq(endpoints.id, v.endpointId));
    if (!peek || !mayRead(ctx, peek.institutionId)) throw new NotFoundError('CircuitEndpoint', v.endpointId);
    if (!mayActFor(ctx, peek.institutionId)) {
      throw new ForbiddenError('only a technical contact of the site’s institution answers for it');
    }
    // The request first (the order, or the member change that added the site), then the endpoint.
    await lockRequestForLine(tx, peek.requestId);
    const [e] = await tx
      .select()
      .from(endpoints)
      .where(and(eq(endpoints.id, v.endpointId), isNull(endpoints.removedAt)))
      .for('update');
    if (!e) throw new NotFoundError('CircuitEndpoint', v.endpointId);
    if (e.consent !== 'pending') {
      throw new ConflictError(
        e.consent === 'own' ? 'this site is the filer’s own' : `consent was ${e.consent} already`,
      );
    }
    if (!v.agree && !v.reason) {
      throw ValidationError.field(['input', 'reason'], 'say why the site cannot be an endpoint');
    }
    const after = one(
      await tx
        .update(endpoints)
        .set({
          consent: v.agree ? 'given' : 'refused',
          consentBy: actorLabel(ctx.actor),
          consentAt: ctx.clock.now(),
          consentReason: v.reason ?? null,
        })
        .where(eq(endpoints.id, e.id))
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: v.agree ? 'circuits.consentGiven' : 'circuits.consentRefused',
      objectType: 'CircuitEndpoint',
      objectId: e.id,
      institutionId: e.institutionId,
      before: e,
      after,
    });
    if (v.agree) await reconsiderStep(tx, ctx, deps, e.requestId, 'consent');
    else {
      await returnFromLine(
        tx,
        ctx,
        deps,
        e.requestId,
        `another institution refused its site as an endpoint: ${v.reason}`,
        {
          endpointId: e.id,
        },
      );
    }
    return after;
  });
}
