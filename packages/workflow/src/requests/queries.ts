import { type Actor, isStaff, isUuid, type RequestContext, ValidationError } from '@guichet/core';
import { and, asc, type DbOrTx, desc, eq, inArray, type SQL, sql } from '@guichet/db';
import { cursorInstant, groupByKey } from '@guichet/graphql';
import { readableInstitutions } from '@guichet/membership';
import type { RequestRow, StepActor } from '../events.js';
import { type AnyStep, listKinds, type RequestDocument, stepActor, waitsOnInstitution } from '../kinds.js';
import type { Env } from '../line/env.js';
import type { RequestStatus, StepType } from '../rules.js';
import { requestEvents, requests, stepRuns } from '../tables.js';
import { assertRequestId, assertVisible } from './access.js';
import { kindOf } from './service.js';
import { currentPass, loadOutputs, type StepRunRow, stepRunsOf } from './store.js';

export type RequestEventRow = typeof requestEvents.$inferSelect;

/** One request, if the caller may read it (NotFoundError otherwise, whether it exists or not). */
export async function getRequest(db: DbOrTx, ctx: RequestContext, id: string): Promise<RequestRow> {
  assertRequestId(id);
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  return assertVisible(ctx.actor, id, row);
}

export interface RequestFilter {
  institutionId?: string | undefined;
  kind?: string | undefined;
  status?: RequestStatus | undefined;
  /** The NOC queue: every kind registered with that queue. */
  queue?: string | undefined;
}

/** Cursor of a request in `listRequests`' order (newest first). */
export function requestCursor(r: Pick<RequestRow, 'createdAt' | 'id'>): string {
  return `${r.createdAt.toISOString()}_${r.id}`;
}

const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)_([0-9a-f-]{36})$/i;

/**
 * Requests the caller may read, newest first, keyset-paged on (created_at, id): a contact sees
 * only their institution's, whatever filter they pass.
 */
export async function listRequests(
  db: DbOrTx,
  ctx: RequestContext,
  filter: RequestFilter & { after?: string | undefined; limit: number },
): Promise<RequestRow[]> {
  const where: SQL[] = [];
  // The column is uuid: a malformed id would be a database error, not an empty list.
  if (filter.institutionId && !isUuid(filter.institutionId)) return [];
  const readable = readableInstitutions(ctx.actor);
  if (readable !== 'all') {
    if (readable.length === 0) return [];
    if (filter.institutionId && !readable.includes(filter.institutionId)) return [];
    where.push(inArray(requests.institutionId, readable));
  }
  if (filter.institutionId) where.push(eq(requests.institutionId, filter.institutionId));
  if (filter.kind) where.push(eq(requests.kind, filter.kind));
  if (filter.status) where.push(eq(requests.status, filter.status));
  if (filter.queue) {
    const kinds = listKinds()
      .filter((k) => k.queue === filter.queue)
      .map((k) => k.kind);
    if (kinds.length === 0) return [];
    where.push(inArray(requests.kind, kinds));
  }
  if (filter.after) {
    const m = CURSOR.exec(filter.after);
    // The pattern alone lets through what the casts below refuse (February 31, a uuid of
    // dashes): a cursor is valid only if it is exactly what requestCursor writes.
    if (!m?.[1] || !m[2] || !cursorInstant(m[1]) || !isUuid(m[2])) {
      throw ValidationError.field(['after'], 'not a cursor of this list');
    }
    where.push(sql`(${requests.createdAt}, ${requests.id}) < (${m[1]}::timestamptz, ${m[2]}::uuid)`);
  }
  return db
    .select()
    .from(requests)
    .where(and(...where))
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(filter.limit);
}

/**
 * The events an institution's contacts are never shown: the `commented` event of an internal
 * NOC comment (its text is already left out; its existence is operator business too).
 */
export const internalToOperator: SQL = sql`(${requestEvents.type} = 'commented' AND coalesce(${requestEvents.data}->>'visibility', '') = 'internal')`;

/** The history, oldest first. The caller has already checked that the request is visible. */
export async function requestHistory(
  db: DbOrTx,
  requestId: string,
  actor?: Actor,
): Promise<RequestEventRow[]> {
  return (await requestHistoriesOf(db, [requestId], actor))[0] ?? [];
}

/**
 * The histories of several requests (already visible to the caller), oldest first each. With
 * an actor who is not staff, without the events of internal comments.
 */
export async function requestHistoriesOf(
  db: DbOrTx,
  requestIds: readonly string[],
  actor?: Actor,
): Promise<RequestEventRow[][]> {
  const ids = requestIds.filter(isUuid);
  const where: SQL[] = [inArray(requestEvents.requestId, ids)];
  if (actor && !isStaff(actor)) where.push(sql`NOT ${internalToOperator}`);
  const rows = ids.length
    ? await db
        .select()
        .from(requestEvents)
        .where(and(...where))
        .orderBy(asc(requestEvents.id))
    : [];
  return groupByKey(requestIds, rows, (r) => r.requestId);
}

export type StepState = 'not_started' | 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface RequestStepView {
  name: string;
  type: StepType;
  description: string;
  actor: StepActor | null;
  waitsOnInstitution: boolean;
  /** The pass these runs belong to (the latest). */
  pass: number;
  state: StepState;
  attempts: number;
  lastError: string | null;
  actedBy: string | null;
  actedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The kind's steps, each with its run in the latest pass (if it got that far). */
export async function requestSteps(db: DbOrTx, req: RequestRow): Promise<RequestStepView[]> {
  return (await requestStepsOf(db, [req]))[0] ?? [];
}

/**
 * The steps of several requests (already visible to the caller), each with its runs of its
 * latest pass: one statement for them all.
 */
export async function requestStepsOf(db: DbOrTx, reqs: readonly RequestRow[]): Promise<RequestStepView[][]> {
  const ids = reqs.map((r) => r.id);
  const rows = ids.length
    ? await db
        .select()
        .from(stepRuns)
        .where(
          and(
            inArray(stepRuns.requestId, ids),
            sql`${stepRuns.pass} = (SELECT max(l.pass) FROM workflow_step_runs l WHERE l.request_id = ${stepRuns.requestId})`,
          ),
        )
    : [];
  const runsOf = groupByKey(ids, rows, (r) => r.requestId);
  return reqs.map((req, i) => stepsView(req, runsOf[i] ?? []));
}

function stepsView(req: RequestRow, latest: readonly StepRunRow[]): RequestStepView[] {
  const kind = kindOf(req);
  const pass = latest[0]?.pass ?? 0;
  const runs = new Map(latest.map((r) => [r.step, r]));
  return kind.steps.map((s: AnyStep) => {
    const run = runs.get(s.name);
    return {
      name: s.name,
      type: s.type,
      description: s.description,
      actor: stepActor(s) ?? null,
      waitsOnInstitution: waitsOnInstitution(s),
      pass,
      state: (run?.status as StepState | undefined) ?? 'not_started',
      attempts: run?.attempts ?? 0,
      lastError: run?.lastError ?? null,
      actedBy: run?.actedBy ?? null,
      actedAt: run?.actedAt ?? null,
      startedAt: run?.startedAt ?? null,
      finishedAt: run?.finishedAt ?? null,
    };
  });
}

/** The document to sign for this request, when its kind has one and the pass produced it. */
export async function requestDocument(
  db: DbOrTx,
  env: Env,
  req: RequestRow,
): Promise<RequestDocument | null> {
  const kind = kindOf(req);
  if (!kind.document) return null;
  return kind.document(db, req, await loadOutputs(db, req.id, await currentPass(db, req.id)), env);
}
