import { ConflictError, InvalidTransitionError, NotFoundError } from '@guichet/core';
import { builder, keysetConnection } from '@guichet/graphql';
import {
  parseJson,
  REQUEST_ERRORS,
  RequestRef,
  RequestStatusEnum,
  requestPayload,
} from '../graphql/requests.js';
import { findStep, stepActor } from '../kinds.js';
import { actOnStep } from './act.js';
import { cancelRequest, retryRequest } from './lifecycle.js';
import { getRequest, listRequests, requestCursor } from './queries.js';
import { amendRequest, kindOf, resubmitRequest, submitRequest } from './service.js';

/**
 * The operations of the requests module: queries and the generic actions (the types are in
 * graphql/requests.ts; filing is per kind, next to each kind). Resolvers call the use-cases
 * only: every rule lives there, whoever calls.
 */

builder.queryFields((t) => ({
  requests: t.connection({
    type: RequestRef,
    description: 'Requests you may see, newest first: your institution’s, or every one for operator staff.',
    authScopes: { authenticated: true },
    args: {
      institutionId: t.arg.id({ required: false, description: 'Only this institution’s.' }),
      kind: t.arg.string({ required: false, description: 'Only this kind.' }),
      status: t.arg({ type: RequestStatusEnum, required: false, description: 'Only in this status.' }),
      queue: t.arg.string({ required: false, description: 'Only kinds of this NOC queue.' }),
    },
    resolve: (_r, args, { database, ctx }) =>
      keysetConnection(args, requestCursor, (after, limit) =>
        listRequests(database.db, ctx, {
          institutionId: args.institutionId ? String(args.institutionId) : undefined,
          kind: args.kind ?? undefined,
          status: args.status ?? undefined,
          queue: args.queue ?? undefined,
          after,
          limit,
        }),
      ),
  }),
  request: t.field({
    type: RequestRef,
    nullable: true,
    description: 'One request, or null when it does not exist or you may not see it.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ description: 'Its identifier.' }) },
    resolve: (_r, { id }, { database, ctx }) =>
      getRequest(database.db, ctx, String(id)).catch((e) => {
        if (e instanceof NotFoundError) return null;
        throw e;
      }),
  }),
}));

// ---------------------------------------------------------------------------------------------
// The generic actions. Filing is per kind (`requestAgreementChange`…, next to each kind).

const requestIdArg = (f: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) =>
  f.id({ description: 'The request.' });

const SubmitInput = builder.inputType('SubmitRequestInput', {
  description: 'A request to submit or resubmit.',
  fields: (f) => ({
    requestId: requestIdArg(f),
    revision: f.int({
      required: false,
      description: 'The revision you saw; refused (conflict) if it changed since.',
    }),
  }),
});

const AmendInput = builder.inputType('AmendRequestInput', {
  description: 'A new payload for a draft or returned request.',
  fields: (f) => ({
    requestId: requestIdArg(f),
    revision: f.int({ description: 'The revision you amend; refused (conflict) if it changed since.' }),
    payload: f.string({
      description: 'The whole new payload, as JSON (the shape of the kind; see `Request.payload`).',
    }),
  }),
});

const ApproveInput = builder.inputType('ApproveRequestStepInput', {
  description: 'Approval of the step a request waits on.',
  fields: (f) => ({
    requestId: requestIdArg(f),
    step: f.string({ description: 'The step you approve (as shown in `Request.currentStep`).' }),
    data: f.string({ required: false, description: 'What the step needs, as JSON (depends on the kind).' }),
  }),
});

const ReasonInput = (name: string, what: string) =>
  builder.inputType(name, {
    description: `A request to ${what}, with the reason.`,
    fields: (f) => ({
      requestId: requestIdArg(f),
      step: f.string({
        required: false,
        description: 'The step you saw pending; refused (conflict) if it moved on.',
      }),
      reason: f.string({ description: 'Why (shown to the institution).' }),
    }),
  });

const CancelInput = builder.inputType('CancelRequestInput', {
  description: 'A request to cancel.',
  fields: (f) => ({
    requestId: requestIdArg(f),
    reason: f.string({ required: false, description: 'Why, if you wish to say.' }),
  }),
});

const RetryInput = builder.inputType('RetryRequestInput', {
  description: 'A failed request to run again.',
  fields: (f) => ({ requestId: requestIdArg(f) }),
});

const SignInput = builder.inputType('SignRequestInput', {
  description: 'The signature of the head of institution.',
  fields: (f) => ({
    requestId: requestIdArg(f),
    documentHash: f.string({
      description: 'The `hash` of the `Request.document` you read: you sign exactly that text.',
    }),
  }),
});

builder.mutationFields((t) => {
  const common = { authScopes: { write: true }, errors: { types: REQUEST_ERRORS } } as const;
  return {
    amendRequest: t.field({
      ...common,
      type: requestPayload('AmendRequest', 'The amended request.'),
      description:
        'Replaces the payload of a draft or returned request (a technical contact of the institution, or the desk).',
      args: { input: t.arg({ type: AmendInput, description: 'The amendment.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await amendRequest(database.db, ctx, env, {
          requestId: String(input.requestId),
          revision: input.revision,
          payload: parseJson(input.payload, ['input', 'payload']),
        }),
      }),
    }),
    submitRequest: t.field({
      ...common,
      type: requestPayload('SubmitRequest', 'The submitted request.'),
      description: 'Submits a draft: its first step starts.',
      args: { input: t.arg({ type: SubmitInput, description: 'The draft.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await submitRequest(database.db, ctx, env, {
          requestId: String(input.requestId),
          revision: input.revision ?? undefined,
        }),
      }),
    }),
    resubmitRequest: t.field({
      ...common,
      type: requestPayload('ResubmitRequest', 'The resubmitted request.'),
      description: 'Resubmits a returned request after amending it: every step runs again from the first.',
      args: { input: t.arg({ type: SubmitInput, description: 'The returned request.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await resubmitRequest(database.db, ctx, env, {
          requestId: String(input.requestId),
          revision: input.revision ?? undefined,
        }),
      }),
    }),
    approveRequestStep: t.field({
      ...common,
      type: requestPayload('ApproveRequestStep', 'The request, moved past the step.'),
      description:
        'Approves the step the request waits on (only its actor: head, technical contact, desk or NOC).',
      args: { input: t.arg({ type: ApproveInput, description: 'The approval.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await actOnStep(database.db, ctx, env, {
          requestId: String(input.requestId),
          step: input.step,
          decision: 'approve',
          data: parseJson(input.data, ['input', 'data']) as Record<string, unknown> | undefined,
        }),
      }),
    }),
    signRequest: t.field({
      ...common,
      type: requestPayload('SignRequest', 'The signed request.'),
      description:
        'Signs the request as head of institution: approves its signature step with the hash of the document read.',
      args: { input: t.arg({ type: SignInput, description: 'The signature.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => {
        // Which step is the signature is the kind's business: the caller names the request only.
        // actOnStep checks again, under the lock, that this step is still the pending one.
        const req = await getRequest(database.db, ctx, String(input.requestId));
        if (req.status !== 'in_progress')
          throw new InvalidTransitionError('Request', req.status, 'in_progress');
        const step = findStep(kindOf(req), req.currentStep);
        if (stepActor(step) !== 'head') throw new ConflictError('The request is not waiting for a signature');
        const request = await actOnStep(
          database.db,
          ctx,
          env,
          {
            requestId: req.id,
            step: step?.name,
            decision: 'approve',
            data: { documentHash: input.documentHash },
          },
          { dataPath: ['input'] },
        );
        return { request };
      },
    }),
    returnRequest: t.field({
      ...common,
      type: requestPayload('ReturnRequest', 'The returned request.'),
      description:
        'Sends the request back to the institution with a reason (the actor of the pending step, the desk or the NOC).',
      args: {
        input: t.arg({ type: ReasonInput('ReturnRequestInput', 'return'), description: 'The return.' }),
      },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await actOnStep(database.db, ctx, env, {
          requestId: String(input.requestId),
          step: input.step ?? undefined,
          decision: 'return',
          reason: input.reason,
        }),
      }),
    }),
    rejectRequest: t.field({
      ...common,
      type: requestPayload('RejectRequest', 'The rejected request.'),
      description:
        'Refuses the request, with a reason (the actor of the pending step, the desk or the NOC; a failed one: the NOC).',
      args: {
        input: t.arg({ type: ReasonInput('RejectRequestInput', 'reject'), description: 'The rejection.' }),
      },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await actOnStep(database.db, ctx, env, {
          requestId: String(input.requestId),
          step: input.step ?? undefined,
          decision: 'reject',
          reason: input.reason,
        }),
      }),
    }),
    cancelRequest: t.field({
      ...common,
      type: requestPayload('CancelRequest', 'The cancelled request.'),
      description:
        'Withdraws a draft, a returned request, or one waiting for a person (the institution’s side).',
      args: { input: t.arg({ type: CancelInput, description: 'The cancellation.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await cancelRequest(database.db, ctx, env, {
          requestId: String(input.requestId),
          reason: input.reason ?? undefined,
        }),
      }),
    }),
    retryRequest: t.field({
      ...common,
      authScopes: { $all: { write: true, staffRole: 'noc' } },
      type: requestPayload('RetryRequest', 'The request, running again.'),
      description: 'Runs the failed external step of a failed request again, with fresh attempts (NOC).',
      args: { input: t.arg({ type: RetryInput, description: 'The failed request.' }) },
      resolve: async (_r, { input }, { database, ctx, env }) => ({
        request: await retryRequest(database.db, ctx, env, { requestId: String(input.requestId) }),
      }),
    }),
  };
});
