import {
  ConflictError,
  type DomainError,
  IdempotencyError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { builder } from './builder.js';
import { truncateEcho } from './text.js';

/**
 * The `Error` interface and one object type per expected failure. Mutations list the ones
 * they may return (`errors: { types: [...] }`); authentication and authorisation failures
 * are thrown instead (they are not something to handle in a payload).
 */

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable machine-readable error codes.',
  values: {
    VALIDATION: { description: 'The input is malformed; see the field issues.' },
    NOT_FOUND: { description: 'An object named in the input does not exist (or is not visible to you).' },
    CONFLICT: {
      description: 'The change collides with the current state (duplicate, overlap, concurrent edit).',
    },
    POLICY_REFUSAL: { description: 'A business rule refuses the change.' },
    INVALID_TRANSITION: { description: 'The object is not in a state that allows this action.' },
    UNAVAILABLE: { description: 'A system Guichet depends on did not answer; try again later.' },
    FORBIDDEN: { description: 'You may not do this.' },
    UNAUTHENTICATED: { description: 'Credentials are missing, wrong, expired or revoked.' },
    IDEMPOTENCY_CONFLICT: { description: 'The idempotency key was already used with another input.' },
    IDEMPOTENCY_IN_PROGRESS: {
      description: 'A call with the same idempotency key is still running; retry to get its answer.',
    },
  } as const,
});

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'Every expected failure a mutation can return.',
  fields: (t) => ({
    // Shortened like every error message: a value quoted from the input comes back cut.
    message: t.string({
      description: 'What went wrong, for a person.',
      resolve: (e) => truncateEcho(e.message),
    }),
    code: t.field({
      type: ErrorCodeEnum,
      description: 'What went wrong, for a program.',
      resolve: (e) => e.code,
    }),
  }),
});

const FieldIssueType = builder
  .objectRef<{ path: (string | number)[]; message: string }>('FieldIssue')
  .implement({
    description: 'One problem with one input field.',
    fields: (t) => ({
      path: t.stringList({
        description: 'Where the field is in the input, e.g. `["sites", "2", "city"]`.',
        resolve: (i) => i.path.map(String),
      }),
      message: t.string({ description: 'What is wrong with it.', resolve: (i) => truncateEcho(i.message) }),
    }),
  });

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is malformed; nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [FieldIssueType],
      description: 'Each problem with its field path.',
      resolve: (e) => (e.issues.length ? e.issues : [{ path: [], message: e.message }]),
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An object named in the input does not exist or is not visible to you.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    entity: t.exposeString('entity', { description: 'The kind of object.' }),
    id: t.exposeString('id', { description: 'The identifier that was not found.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The change collides with the current state; nothing was changed.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

builder.objectType(PolicyRefusalError, {
  name: 'PolicyRefusalError',
  description: 'A business rule refuses the change.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ rule: t.exposeString('rule', { description: 'The rule that refused.' }) }),
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  description: 'The object is not in a state that allows this action.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    from: t.exposeString('from', { description: 'The current state.' }),
    to: t.exposeString('to', { description: 'The state that was asked for.' }),
  }),
});

builder.objectType(UnavailableError, {
  name: 'UnavailableError',
  description: 'A system Guichet depends on did not answer; nothing was changed. Try again later.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ dependency: t.exposeString('dependency', { description: 'Which system.' }) }),
});

builder.objectType(IdempotencyError, {
  name: 'IdempotencyError',
  description:
    'The idempotency key was used with another input, or by a call still running; nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ key: t.exposeString('key', { description: 'The key.' }) }),
});
