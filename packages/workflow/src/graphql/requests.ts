import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { batchLoader, builder, jsonTextProblem } from '@guichet/graphql';
import { canReadInstitution, InstitutionRef, institutionsOf } from '@guichet/membership';
import type { RequestRow } from '../events.js';
import { findStep, getKind, stepActor } from '../kinds.js';
import {
  type RequestEventRow,
  type RequestStepView,
  requestDocument,
  requestHistoriesOf,
  requestStepsOf,
} from '../requests/queries.js';
import { kindOf } from '../requests/service.js';
import { type RequestStatus, STATUSES } from '../rules.js';
import { StepActorEnum, StepTypeEnum } from './kinds.js';

/**
 * The types of the request engine's GraphQL face: one `Request` type for every kind. The
 * queries and generic actions are in requests/graphql.ts; filing mutations are next to each kind.
 */

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const upper = <T extends string>(v: T) => v.toUpperCase() as Uppercase<T>;

const STATUS_TEXT: Record<RequestStatus, string> = {
  draft: 'Written by the institution, not submitted yet.',
  in_progress: 'Submitted; its steps are running or waiting for a person.',
  returned: 'Sent back to the institution with a reason: amend it, then resubmit it.',
  completed: 'Every step is done.',
  rejected: 'Refused, with a reason.',
  cancelled: 'Withdrawn by the institution.',
  failed: 'An external step exhausted its retries; the NOC may retry or reject it.',
};
export const RequestStatusEnum = builder.enumType('RequestStatus', {
  description: 'Where a request stands.',
  values: Object.fromEntries(
    STATUSES.map((s) => [upper(s), { value: s, description: STATUS_TEXT[s] }]),
  ) as Record<Uppercase<RequestStatus>, { value: RequestStatus; description: string }>,
});

const StepStateEnum = builder.enumType('StepState', {
  description: 'Where a step stands in the latest pass.',
  values: {
    NOT_STARTED: { value: 'not_started', description: 'Not reached yet.' },
    PENDING: { value: 'pending', description: 'Reached: waiting for a person, or for its next attempt.' },
    RUNNING: { value: 'running', description: 'An attempt is running now.' },
    DONE: { value: 'done', description: 'Done.' },
    FAILED: { value: 'failed', description: 'Gave up after its last attempt.' },
    SKIPPED: { value: 'skipped', description: 'Abandoned: the request was returned, rejected or cancelled.' },
  } as const,
});

const RequestStep = builder.objectRef<RequestStepView>('RequestStep').implement({
  description: 'A step of a request, with its state in the latest pass.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the step within its kind.' }),
    type: t.field({ type: StepTypeEnum, description: 'How it runs.', resolve: (s) => s.type }),
    description: t.exposeString('description', { description: 'What it does.' }),
    actor: t.field({
      type: StepActorEnum,
      nullable: true,
      description: 'Who acts on it.',
      resolve: (s) => s.actor,
    }),
    state: t.field({ type: StepStateEnum, description: 'Where it stands.', resolve: (s) => s.state }),
    pass: t.exposeInt('pass', {
      description: 'The submission these states belong to (1, then 2 after a resubmission…).',
    }),
    attempts: t.exposeInt('attempts', { description: 'Attempts so far (external steps).' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the latest attempt failed.' }),
    actedBy: t.exposeString('actedBy', { nullable: true, description: 'Who acted on it (human steps).' }),
    actedAt: t.expose('actedAt', { type: 'DateTime', nullable: true, description: 'When they acted.' }),
    startedAt: t.expose('startedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was reached.',
    }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it ended.' }),
  }),
});

const RequestEventType = builder.objectRef<RequestEventRow>('RequestEvent').implement({
  description: 'One entry of a request history: who did what, when, under which HTTP request.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sequence number.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
    actor: t.exposeString('actor', {
      description: 'Who: `contact:<id>`, `staff:<username>`, `system:<job>`…',
    }),
    httpRequestId: t.exposeString('httpRequestId', {
      description: 'The x-request-id of the call (or job) behind it.',
    }),
    type: t.exposeString('type', { description: '`filed`, `submitted`, `step_completed`, `returned`…' }),
    fromStatus: t.field({
      type: RequestStatusEnum,
      nullable: true,
      description: 'Status before.',
      resolve: (e) => e.fromStatus as RequestStatus | null,
    }),
    toStatus: t.field({
      type: RequestStatusEnum,
      nullable: true,
      description: 'Status after.',
      resolve: (e) => e.toStatus as RequestStatus | null,
    }),
    step: t.exposeString('step', { nullable: true, description: 'The step concerned.' }),
    note: t.exposeString('note', { nullable: true, description: 'The reason given, if any.' }),
    data: t.string({
      nullable: true,
      description: 'Details as JSON (a step’s data and output).',
      resolve: (e) => json(e.data),
    }),
  }),
});

const RequestDocumentType = builder.simpleObject('RequestDocument', {
  description: 'The document a signature on this request covers.',
  fields: (t) => ({
    text: t.string({ description: 'The canonical text, as the head of institution reads it.' }),
    hash: t.string({ description: 'Its SHA-256 (hex): pass it to `signRequest` to sign exactly this text.' }),
  }),
});

export const RequestRef = builder.objectRef<RequestRow>('Request').implement({
  description: 'What an institution asked for, and where it stands.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    kind: t.exposeString('kind', { description: 'Kind, e.g. `membership.agreementChange`.' }),
    title: t.string({
      description: 'The kind, for people.',
      resolve: (r) => getKind(r.kind)?.title ?? r.kind,
    }),
    institutionId: t.exposeID('institutionId', { description: 'The institution it is for.' }),
    institution: t.field({
      type: InstitutionRef,
      description: 'The institution it is for.',
      // Whoever sees the request sees its institution (same rule): a miss is a bug.
      resolve: async (r, _a, c) => {
        if (!canReadInstitution(c.ctx.actor, r.institutionId)) {
          throw new Error(`institution ${r.institutionId} of request ${r.id} not readable`);
        }
        const inst = await batchLoader(c, 'membership.institution', (ids: readonly string[]) =>
          institutionsOf(c.database.db, ids),
        ).load(r.institutionId);
        if (!inst) throw new Error(`institution ${r.institutionId} of request ${r.id} not found`);
        return inst;
      },
    }),
    requester: t.exposeString('requester', {
      description: 'Who filed it (`contact:<id>`, `staff:<username>`).',
    }),
    status: t.field({
      type: RequestStatusEnum,
      description: 'Where it stands.',
      resolve: (r) => r.status as RequestStatus,
    }),
    currentStep: t.exposeString('currentStep', { nullable: true, description: 'The step it waits on.' }),
    pendingActor: t.field({
      type: StepActorEnum,
      nullable: true,
      description: 'Who must act now, when it waits on a person.',
      resolve: (r) =>
        r.status === 'in_progress' ? (stepActor(findStep(kindOf(r), r.currentStep)) ?? null) : null,
    }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why it was returned, rejected, cancelled or failed.',
    }),
    revision: t.exposeInt('revision', { description: 'Changes with every change: name it when amending.' }),
    payload: t.string({
      description: 'What is asked for, as JSON (shape depends on the kind).',
      resolve: (r) => JSON.stringify(r.payload),
    }),
    steps: t.field({
      type: [RequestStep],
      description: 'Its steps and their states.',
      // Batched per request: a page of requests reads its steps in one statement.
      resolve: (r, _a, c) =>
        batchLoader(c, 'workflow.steps', (rs: readonly RequestRow[]) => requestStepsOf(c.database.db, rs), {
          key: (r: RequestRow) => r.id,
        }).load(r),
    }),
    history: t.field({
      type: [RequestEventType],
      description:
        "Everything that happened to it, oldest first (an institution's contacts do not see the NOC's internal comments).",
      resolve: (r, _a, c) =>
        batchLoader(c, 'workflow.history', (ids: readonly string[]) =>
          requestHistoriesOf(c.database.db, ids, c.ctx.actor),
        ).load(r.id),
    }),
    document: t.field({
      type: RequestDocumentType,
      nullable: true,
      description: 'The document to sign, for kinds that need a signature (once it has been prepared).',
      resolve: (r, _a, { database, env }) => requestDocument(database.db, env, r),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was filed.' }),
    submittedAt: t.expose('submittedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was first submitted.',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
    closedAt: t.expose('closedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it reached a final status.',
    }),
  }),
});

/** Typed errors every request action may return; Forbidden is thrown. */
export const REQUEST_ERRORS = [
  ValidationError,
  NotFoundError,
  ConflictError,
  InvalidTransitionError,
  PolicyRefusalError,
  UnavailableError,
];

/** `<Name>Payload { request }`, the payload of every request mutation. */
export function requestPayload(name: string, description: string) {
  return builder.simpleObject(`${name}Payload`, {
    description,
    fields: (t) => ({
      request: t.field({ type: RequestRef, description: 'The request, after the change.' }),
    }),
  });
}

/** A JSON argument (`payload`, `data`) parsed, or a ValidationError naming the field. */
export function parseJson(text: string | null | undefined, path: string[]): unknown {
  if (text == null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw ValidationError.field(path, 'must be valid JSON');
  }
  // Escapes decode here (`"\u0000"`, a lone `"\ud800"`): PostgreSQL's jsonb refuses both.
  const problem = jsonTextProblem(value);
  if (problem) throw ValidationError.field(path, `a text in it: ${problem}`);
  return value;
}
