import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  ConflictError,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, type Db, type DbOrTx, eq, ne, PG, pgError } from '@guichet/db';
import { type EngineDeps, lockRequestForLine, reconsiderStep } from '@guichet/workflow';
import { z } from 'zod';
import { assertSegmentMove, type SegmentState } from '../model.js';
import { attachments, circuits, endpoints, handoffs, segments } from '../tables.js';
import { requiredMtu } from '../vlans.js';
import { mustOperate } from './access.js';

/**
 * A regional (collecte) segment is the regional operator's circuit between the handoff and the
 * site: the NOC orders it (recording the operator's circuit id and ticket reference) and marks
 * it active when the operator confirms. Each segment is its own human action, recorded in the
 * change log; the order's `regional` step approves itself once every segment is active.
 */

const vid = z.number().int().min(1).max(4094);

export const updateSegmentSchema = z.object({
  segmentId: z.string(),
  state: z.enum(['ordered', 'active']),
  providerCircuitId: z.string().trim().min(1).max(100).optional(),
  operatorReference: z.string().trim().min(1).max(200).optional(),
  remoteVid: vid.optional(),
  l2Mtu: z.number().int().min(1500).max(16000).optional(),
});

export async function updateSegment(
  db: Db,
  ctx: RequestContext,
  deps: EngineDeps,
  input: z.input<typeof updateSegmentSchema>,
) {
  mustOperate(ctx, 'records regional segments');
  const v = parseInput(updateSegmentSchema, input);
  if (!isUuid(v.segmentId)) throw new NotFoundError('RegionalSegment', v.segmentId);
  try {
    return await db.transaction(async (tx) => {
      const [peek] = await tx
        .select({ requestId: endpoints.requestId })
        .from(segments)
        .innerJoin(attachments, eq(attachments.id, segments.attachmentId))
        .innerJoin(endpoints, eq(endpoints.id, attachments.endpointId))
        .where(eq(segments.id, v.segmentId));
      if (!peek) throw new NotFoundError('RegionalSegment', v.segmentId);
      // The request that waits on it first, then the segment.
      await lockRequestForLine(tx, peek.requestId);
      const [row] = await tx
        .select({
          s: segments,
          tags: attachments.tags,
          payload: circuits.payloadMtu,
          translation: handoffs.translation,
        })
        .from(segments)
        .innerJoin(attachments, eq(attachments.id, segments.attachmentId))
        .innerJoin(circuits, eq(circuits.id, segments.circuitId))
        .innerJoin(handoffs, eq(handoffs.id, segments.handoffId))
        .where(eq(segments.id, v.segmentId))
        .for('update', { of: segments });
      if (!row) throw new NotFoundError('RegionalSegment', v.segmentId);
      const s = row.s;
      assertSegmentMove(s.state as SegmentState, v.state);
      const providerCircuitId = v.providerCircuitId ?? s.providerCircuitId;
      const operatorReference = v.operatorReference ?? s.operatorReference;
      if (!providerCircuitId)
        throw ValidationError.field(['input', 'providerCircuitId'], 'the regional operator’s circuit id');
      if (!operatorReference)
        throw ValidationError.field(['input', 'operatorReference'], 'the regional operator’s reference');
      const remoteVid = v.remoteVid ?? s.remoteVid;
      if (remoteVid !== s.localVid && !row.translation) {
        throw new PolicyRefusalError(
          'circuits.translation-not-allowed',
          `the handoff does not translate VLANs: the regional VID must be ${s.localVid}, not ${remoteVid}`,
        );
      }
      const l2Mtu = v.l2Mtu ?? s.l2Mtu;
      const payload = row.payload ?? 1500;
      const need = requiredMtu(payload, row.tags + s.extraTags);
      if (l2Mtu < need) {
        throw new PolicyRefusalError(
          'circuits.mtu-too-small',
          `the regional segment has an L2 MTU of ${l2Mtu}; ${payload} bytes of payload under ${row.tags + s.extraTags} tags need ${need}`,
        );
      }
      const now = ctx.clock.now();
      const [after] = await tx
        .update(segments)
        .set({
          state: v.state,
          providerCircuitId,
          operatorReference,
          remoteVid,
          l2Mtu,
          ...(v.state === 'ordered' || !s.orderedAt
            ? { orderedAt: now, orderedBy: actorLabel(ctx.actor) }
            : {}),
          ...(v.state === 'active' ? { activatedAt: now, activatedBy: actorLabel(ctx.actor) } : {}),
        })
        .where(eq(segments.id, s.id))
        .returning();
      await recordChange(tx, ctx, {
        action: v.state === 'active' ? 'circuits.segmentActive' : 'circuits.segmentOrdered',
        objectType: 'RegionalSegment',
        objectId: s.id,
        before: s,
        after,
      });
      if (v.state === 'active') await reconsiderStep(tx, ctx, deps, peek.requestId, 'regional');
      return after!;
    });
  } catch (e) {
    const pg = pgError(e);
    if (pg?.code === PG.uniqueViolation && pg.constraint === 'circuits_segments_provider_cid_key') {
      throw new ConflictError('the regional network has another segment with this circuit id');
    }
    throw e;
  }
}

/** Segments of a circuit that are not active yet (terminated ones do not count). */
export async function pendingSegments(db: DbOrTx, circuitId: string) {
  return db
    .select({ id: segments.id, state: segments.state })
    .from(segments)
    .where(
      and(eq(segments.circuitId, circuitId), ne(segments.state, 'active'), ne(segments.state, 'terminated')),
    );
}
