import { DomainError } from '@guichet/core';
import { isDatabaseUnavailable } from '@guichet/db';
import { truncateEcho } from '@guichet/graphql';
import { GraphQLError } from 'graphql';

/** Seconds a client is told to wait when the database is down (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 5;
export const UNAVAILABLE_MESSAGE = 'The database is unavailable; try again in a few seconds.';

/**
 * What a client sees of an error. Every message is shortened (a value quoted from the input is
 * cut, so a 1 MB variable never comes back as a 2 MB answer), and every error carries a code:
 *
 * - DomainErrors thrown (not returned) keep their message and code;
 * - the database being unreachable is `UNAVAILABLE`, with HTTP 503 and `Retry-After`, and
 *   never the failing SQL;
 * - GraphQL's own errors (syntax, validation, scalar parsing, query limits) pass, and the
 *   variable-coercion ones, which graphql-js leaves without a code, get `VALIDATION`;
 * - anything else is a bug: "Unexpected error" with code INTERNAL (logged with the request id).
 */
export function exposeError(error: unknown): Error {
  const gqlError = error instanceof GraphQLError ? error : undefined;
  const at = { nodes: gqlError?.nodes, path: gqlError?.path };
  const domain = findDomainError(error);
  if (domain) {
    return new GraphQLError(truncateEcho(domain.message), {
      ...at,
      extensions: { ...gqlError?.extensions, code: domain.code },
    });
  }
  if (isDatabaseUnavailable(error)) return unavailableError(at);
  if (gqlError && (!gqlError.originalError || gqlError.originalError instanceof GraphQLError)) {
    const code = gqlError.extensions.code ?? (VARIABLE.test(gqlError.message) ? 'VALIDATION' : undefined);
    const message = truncateEcho(gqlError.message);
    if (message === gqlError.message && code === gqlError.extensions.code) return gqlError;
    return new GraphQLError(message, {
      ...at,
      source: gqlError.source,
      positions: gqlError.positions,
      originalError: gqlError.originalError,
      extensions: { ...gqlError.extensions, ...(code ? { code } : {}) },
    });
  }
  return new GraphQLError('Unexpected error', { ...at, extensions: { code: 'INTERNAL' } });
}

// graphql-js: `Variable "$x" got invalid value …`, `Variable "$x" of required type … was not provided.`
const VARIABLE = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" /;

export function unavailableError(
  at: Pick<GraphQLError, 'nodes' | 'path'> = { nodes: undefined, path: undefined },
) {
  return new GraphQLError(UNAVAILABLE_MESSAGE, {
    nodes: at.nodes,
    path: at.path,
    extensions: {
      code: 'UNAVAILABLE',
      // Yoga turns this into the response status and headers (and leaves it out of the body).
      http: { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
    },
  });
}

function findDomainError(error: unknown): DomainError | undefined {
  for (
    let cur = error, depth = 0;
    cur && depth < 4;
    cur = (cur as { originalError?: unknown }).originalError, depth++
  ) {
    if (cur instanceof DomainError) return cur;
  }
  return undefined;
}
