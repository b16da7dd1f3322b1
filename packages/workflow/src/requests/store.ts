import { recordChange } from '@guichet/audit';
import { actorLabel, type RequestContext } from '@guichet/core';
import { and, asc, type DbOrTx, eq, one, sql, type Tx } from '@guichet/db';
import { emitRequestEvent, type RequestEventType, type RequestRow } from '../events.js';
import { type AnyStep, type StepOutputs, stepInfo } from '../kinds.js';
import type { Env } from '../line/env.js';
import type { RequestStatus } from '../rules.js';
import { requestEvents, requests, stepRuns } from '../tables.js';

/** Reads and writes of requests shared by the use-cases, the engine and the job. */

/** The env: enqueues external steps, is handed to the steps and to the event listeners. */
export type EngineDeps = Env;

export type StepRunRow = typeof stepRuns.$inferSelect;

export { one } from '@guichet/db';

/** The column is text under a CHECK with exactly these values. */
export const statusOf = (req: Pick<RequestRow, 'status'>): RequestStatus => req.status as RequestStatus;

/**
 * Locks the request row for the rest of the transaction. Every action on an existing request
 * starts here, so two concurrent actions on one request run one after the other and the second
 * sees what the first did (and is refused if it no longer applies).
 */
export async function lockRequest(tx: Tx, id: string): Promise<RequestRow | undefined> {
  const [row] = await tx.select().from(requests).where(eq(requests.id, id)).for('update');
  return row;
}

type RequestPatch = Partial<
  Pick<RequestRow, 'status' | 'currentStep' | 'reason' | 'payload' | 'submittedAt' | 'closedAt'>
>;

/** Every change bumps `revision`: an amendment names the revision it amends. */
export async function updateRequest(
  tx: Tx,
  ctx: RequestContext,
  id: string,
  patch: RequestPatch,
): Promise<RequestRow> {
  const [row] = await tx
    .update(requests)
    .set({ ...patch, revision: sql`${requests.revision} + 1`, updatedAt: ctx.clock.now() })
    .where(eq(requests.id, id))
    .returning();
  if (!row) throw new Error(`request ${id} vanished inside its own transaction`);
  return row;
}

// Event types the listeners (tickets/, notify/) hear; `filed` stays in the history only.
const EMITTED = new Set<string>([
  'submitted',
  'resubmitted',
  'amended',
  'step_started',
  'step_completed',
  'returned',
  'rejected',
  'completed',
  'cancelled',
  'failed',
  'retried',
] satisfies RequestEventType[]);

export interface HistoryEntry {
  type: RequestEventType | 'filed';
  from?: RequestStatus | null;
  to?: RequestStatus | null;
  step?: AnyStep;
  /** The reason of a return, rejection, cancellation or failure; free text otherwise. */
  note?: string | null;
  data?: unknown;
}

/**
 * Appends one history row (actor, HTTP request id) and tells the listeners, in the caller's
 * transaction: a rolled-back action leaves neither the row nor what listeners did.
 */
export async function appendEvent(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  request: RequestRow,
  e: HistoryEntry,
): Promise<number> {
  const row = one(
    await tx
      .insert(requestEvents)
      .values({
        requestId: request.id,
        at: ctx.clock.now(),
        actor: actorLabel(ctx.actor),
        httpRequestId: ctx.requestId,
        type: e.type,
        fromStatus: e.from ?? null,
        toStatus: e.to ?? null,
        step: e.step?.name ?? null,
        note: e.note ?? null,
        data: e.data === undefined ? null : JSON.parse(JSON.stringify(e.data)),
      })
      .returning({ id: requestEvents.id }),
  );
  const eventId = row.id;
  if (e.type !== 'filed' && EMITTED.has(e.type)) {
    await emitRequestEvent(
      tx,
      {
        type: e.type,
        eventId,
        request,
        ...(e.step ? { step: stepInfo(e.step) } : {}),
        reason: e.note ?? null,
        ctx,
      },
      deps,
    );
  }
  return eventId;
}

/** One change-log row per use-case, with the request before and after. */
export async function auditRequest(
  tx: Tx,
  ctx: RequestContext,
  verb: string,
  before: RequestRow | null,
  after: RequestRow,
): Promise<void> {
  await recordChange(tx, ctx, {
    action: `workflow.${verb}`,
    objectType: 'Request',
    objectId: after.id,
    institutionId: after.institutionId,
    before,
    after,
  });
}

/** The latest pass (0 before the first submission). */
export async function currentPass(db: DbOrTx, requestId: string): Promise<number> {
  const [row] = await db
    .select({ pass: sql<number>`coalesce(max(${stepRuns.pass}), 0)::int` })
    .from(stepRuns)
    .where(eq(stepRuns.requestId, requestId));
  return Number(row?.pass ?? 0);
}

export async function stepRunsOf(db: DbOrTx, requestId: string, pass: number): Promise<StepRunRow[]> {
  return db
    .select()
    .from(stepRuns)
    .where(and(eq(stepRuns.requestId, requestId), eq(stepRuns.pass, pass)))
    .orderBy(asc(stepRuns.startedAt));
}

export async function stepRunOf(
  db: DbOrTx,
  requestId: string,
  pass: number,
  step: string,
): Promise<StepRunRow | undefined> {
  const [row] = await db
    .select()
    .from(stepRuns)
    .where(and(eq(stepRuns.requestId, requestId), eq(stepRuns.pass, pass), eq(stepRuns.step, step)));
  return row;
}

export async function updateStepRun(
  tx: Tx,
  id: string,
  patch: Partial<Omit<StepRunRow, 'id' | 'requestId' | 'pass' | 'step' | 'type'>>,
): Promise<void> {
  await tx.update(stepRuns).set(patch).where(eq(stepRuns.id, id));
}

/**
 * What the steps of a pass returned. They are kept in the history (`step_completed` events,
 * `data.output`) rather than in a column of their own: the history is the step log, as in
 * orchestrator-core, and an output is exactly what a later step (or onAbandon) needs.
 */
export async function loadOutputs(db: DbOrTx, requestId: string, pass: number): Promise<StepOutputs> {
  const rows = await db
    .select({ step: requestEvents.step, data: requestEvents.data })
    .from(requestEvents)
    .where(
      and(
        eq(requestEvents.requestId, requestId),
        eq(requestEvents.type, 'step_completed'),
        sql`(${requestEvents.data} ->> 'pass')::int = ${pass}`,
      ),
    )
    .orderBy(asc(requestEvents.id));
  const outputs: StepOutputs = {};
  for (const r of rows) {
    const output = (r.data as { output?: Record<string, unknown> } | null)?.output;
    if (r.step) outputs[r.step] = output ?? {};
  }
  return outputs;
}
