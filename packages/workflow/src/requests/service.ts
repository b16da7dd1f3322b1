import {
  actorLabel,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type Db, eq, type Tx } from '@guichet/db';
import { canFileFor, institutions } from '@guichet/membership';
import { z } from 'zod';
import type { RequestRow } from '../events.js';
import { type AnyKind, findStep, getKind } from '../kinds.js';
import type { Env } from '../line/env.js';
import { assertTransition, type RequestStatus } from '../rules.js';
import { requests } from '../tables.js';
import { assertRequestId, assertVisible, partiesOf } from './access.js';
import { startPass } from './engine.js';
import { appendEvent, auditRequest, type EngineDeps, lockRequest, one, updateRequest } from './store.js';
import { type Path, parseWith, withPrefix } from './validation.js';

/**
 * Use-cases on requests, filer and NOC side (acting on steps is in act.ts). Each one: parse
 * the input, check the caller, then ONE transaction that locks the request row first, appends
 * to the history, records the change and tells the listeners.
 */

export interface PayloadOptions {
  /** Where the payload sits in the caller's input, for field paths (default `['input', 'payload']`). */
  payloadPath?: Path;
}

const PAYLOAD_PATH: Path = ['input', 'payload'];

export function kindOf(req: Pick<RequestRow, 'id' | 'kind'>): AnyKind {
  const kind = getKind(req.kind);
  // A request whose kind is not loaded is a deployment error, not the caller's.
  if (!kind) throw new Error(`request ${req.id} is of kind "${req.kind}", not registered in this process`);
  return kind;
}

/** Locks the request, hides it from those who may not read it, and finds its kind. */
export async function loadForAction(tx: Tx, ctx: RequestContext, id: string) {
  const req = assertVisible(ctx.actor, id, await lockRequest(tx, id));
  const kind = kindOf(req);
  return {
    req,
    kind,
    pending:
      req.status === 'in_progress' || req.status === 'failed' ? findStep(kind, req.currentStep) : undefined,
  };
}

async function checkPayload(
  tx: Tx,
  ctx: RequestContext,
  kind: AnyKind,
  raw: unknown,
  institutionId: string,
  path: Path,
  env: Env,
) {
  const payload: unknown = parseWith(kind.schema, raw, path);
  const { validate } = kind;
  if (validate) await withPrefix(path, () => validate(tx, payload, institutionId, ctx, env));
  return payload;
}

const FileInput = z.object({
  kind: z.string().min(1),
  institutionId: z.uuid(),
  payload: z.unknown(),
  submit: z.boolean().default(true),
});
export type FileRequestInput = z.input<typeof FileInput>;

/**
 * Files a request (draft) and, unless `submit: false`, submits it in the same transaction:
 * automatic steps run there and then, so a failing one leaves nothing behind.
 */
export async function fileRequest(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: FileRequestInput,
  opts: PayloadOptions = {},
): Promise<RequestRow> {
  const i = parseWith(FileInput, input, ['input']);
  const kind = getKind(i.kind);
  if (!kind) throw ValidationError.field(['input', 'kind'], `unknown request kind "${i.kind}"`);
  if (!canFileFor(ctx.actor, i.institutionId)) {
    throw new ForbiddenError(
      'Only a technical contact of the institution (or the agreement desk) files its requests',
    );
  }
  const path = opts.payloadPath ?? PAYLOAD_PATH;
  parseWith(kind.schema, i.payload, path); // fail fast, before a transaction is opened
  const deps: EngineDeps = env;
  return db.transaction(async (tx) => {
    // Locked, not just read: closing the institution (membership's closeInstitution, which
    // takes the same lock) cannot slip in between this check and the insert. NO KEY UPDATE
    // because a kind's automatic step may lock the institution the same way (agreement drafts):
    // a weaker lock here would have to be upgraded there, and two filings would deadlock.
    const [inst] = await tx
      .select()
      .from(institutions)
      .where(eq(institutions.id, i.institutionId))
      .for('no key update');
    if (!inst) throw new NotFoundError('Institution', i.institutionId);
    if (inst.status !== 'active') {
      throw new PolicyRefusalError('institution-closed', `${inst.name} is closed: it files no more requests`);
    }
    const payload = await checkPayload(tx, ctx, kind, i.payload, i.institutionId, path, env);
    const now = ctx.clock.now();
    let req = one(
      await tx
        .insert(requests)
        .values({
          kind: kind.kind,
          institutionId: i.institutionId,
          requester: actorLabel(ctx.actor),
          requesterContactId: ctx.actor.kind === 'contact' ? ctx.actor.id : null,
          payload,
          status: 'draft',
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
    );
    await appendEvent(tx, ctx, deps, req, { type: 'filed', to: 'draft' });
    if (i.submit) req = await submitLocked(tx, ctx, deps, kind, req, 'submit');
    await auditRequest(tx, ctx, 'fileRequest', null, req);
    return req;
  });
}

async function submitLocked(
  tx: Tx,
  ctx: RequestContext,
  deps: EngineDeps,
  kind: AnyKind,
  req: RequestRow,
  action: 'submit' | 'resubmit',
): Promise<RequestRow> {
  const from = req.status as RequestStatus;
  assertTransition(from, 'in_progress', { parties: partiesOf(ctx.actor, req), action });
  const submitted = await updateRequest(tx, ctx, req.id, {
    status: 'in_progress',
    reason: null,
    currentStep: null,
    submittedAt: req.submittedAt ?? ctx.clock.now(),
  });
  await appendEvent(tx, ctx, deps, submitted, {
    type: action === 'submit' ? 'submitted' : 'resubmitted',
    from,
    to: 'in_progress',
  });
  return startPass(tx, ctx, deps, kind, submitted);
}

const RevisionInput = z.object({ requestId: z.string(), revision: z.number().int().positive().optional() });

function checkRevision(req: RequestRow, revision: number | undefined): void {
  if (revision !== undefined && revision !== req.revision) {
    throw new ConflictError(
      `The request changed since revision ${revision} (it is at revision ${req.revision}): reload it and try again`,
    );
  }
}

async function submission(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: z.input<typeof RevisionInput>,
  action: 'submit' | 'resubmit',
): Promise<RequestRow> {
  const i = parseWith(RevisionInput, input, ['input']);
  assertRequestId(i.requestId);
  return db.transaction(async (tx) => {
    const { req, kind } = await loadForAction(tx, ctx, i.requestId);
    assertTransition(req.status as RequestStatus, 'in_progress', {
      parties: partiesOf(ctx.actor, req),
      action,
    });
    checkRevision(req, i.revision);
    // The institution's data may have moved since the draft was written: check again.
    await checkPayload(tx, ctx, kind, req.payload, req.institutionId, PAYLOAD_PATH, env);
    const after = await submitLocked(tx, ctx, env, kind, req, action);
    await auditRequest(tx, ctx, action === 'submit' ? 'submitRequest' : 'resubmitRequest', req, after);
    return after;
  });
}

/** draft → in_progress (the filer). */
export function submitRequest(db: Db, ctx: RequestContext, env: Env, input: z.input<typeof RevisionInput>) {
  return submission(db, ctx, env, input, 'submit');
}

/** returned → in_progress (the filer): a new pass, every step runs again from the first. */
export function resubmitRequest(db: Db, ctx: RequestContext, env: Env, input: z.input<typeof RevisionInput>) {
  return submission(db, ctx, env, input, 'resubmit');
}

const AmendInput = z.object({
  requestId: z.string(),
  revision: z.number().int().positive(),
  payload: z.unknown(),
});
export type AmendRequestInput = z.input<typeof AmendInput>;

/** Replaces the payload of a draft or returned request; `revision` must be the current one. */
export async function amendRequest(
  db: Db,
  ctx: RequestContext,
  env: Env,
  input: AmendRequestInput,
  opts: PayloadOptions = {},
): Promise<RequestRow> {
  const i = parseWith(AmendInput, input, ['input']);
  assertRequestId(i.requestId);
  return db.transaction(async (tx) => {
    const { req, kind } = await loadForAction(tx, ctx, i.requestId);
    const status = req.status as RequestStatus;
    assertTransition(status, status, { parties: partiesOf(ctx.actor, req), action: 'amend' });
    checkRevision(req, i.revision);
    const payload = await checkPayload(
      tx,
      ctx,
      kind,
      i.payload,
      req.institutionId,
      opts.payloadPath ?? PAYLOAD_PATH,
      env,
    );
    const after = await updateRequest(tx, ctx, req.id, { payload });
    await appendEvent(tx, ctx, env, after, { type: 'amended', from: status, to: status });
    await auditRequest(tx, ctx, 'amendRequest', req, after);
    return after;
  });
}
