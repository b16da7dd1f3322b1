import {
  ConflictError,
  NotFoundError,
  PolicyRefusalError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';

/** What an eduroam declaration may fail with (typed errors in the schema). */
export const ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError, UnavailableError];

export const idArg = (
  t: { arg: { id: (o: { required: true; description: string }) => unknown } },
  what: string,
) => t.arg.id({ required: true, description: what });
