import {
  type Config,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  type Logger,
  type RequestContext,
  type StaffRole,
  UnauthenticatedError,
} from '@guichet/core';
import type { Database } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import InputGuardPlugin from './input-guard.js';

/** What every resolver receives. Built per HTTP request by services/api. */
export interface GraphQLContext {
  ctx: RequestContext;
  database: Database;
  config: Config;
  logger: Logger;
  /** Enqueues background jobs (inside a transaction with `sendInTx`); null where none runs (some tests). */
  jobs: JobRunner | null;
  /**
   * Set by services/api's Idempotency-Key plugin while a keyed mutation runs: a resolver that
   * can (the filing mutations, @guichet/workflow's `fileOnce`) records its effect under the key
   * in its own transaction, so a repeat after a crash does not do it again.
   */
  idempotency?: { actor: string; key: string };
}

/**
 * Authorisation vocabulary. Every Query and Mutation field names the scopes it needs
 * (a test in services/api fails when one does not); `public` marks the few that need none.
 */
export interface AuthScopes {
  public: boolean;
  authenticated: boolean;
  staff: boolean;
  staffRole: StaffRole;
  /** The credential allows writes: read-only tokens never pass it. */
  write: boolean;
}

// A type alias, not an interface: Pothos needs the implicit index signature.
export type Scalars = {
  DateTime: { Input: Date; Output: Date | string };
  IPPrefix: { Input: string; Output: string };
  IPAddress: { Input: string; Output: string };
  DomainName: { Input: string; Output: string };
  EmailAddress: { Input: string; Output: string };
};

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: AuthScopes;
  Scalars: Scalars;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
}>({
  // Order matters: the first wraps the others. Authorisation is decided before any input is
  // looked at; the input guard runs innermost, so its refusals pass through the errors plugin.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, SimpleObjectsPlugin, InputGuardPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: ({ ctx: { actor } }) => ({
      public: true,
      authenticated: actor.kind !== 'anonymous',
      staff: actor.kind === 'staff' || actor.kind === 'script',
      staffRole: (role: StaffRole) => hasStaffRole(actor, role),
      write: canWrite(actor),
    }),
    // Anonymous callers learn they must authenticate; known callers that they may not.
    unauthorizedError: (_parent, context) =>
      context.ctx.actor.kind === 'anonymous' ? new UnauthenticatedError() : new ForbiddenError(),
  },
  errors: {
    defaultTypes: [],
    // `<mutation>Result = <Mutation>Payload | typed errors`: the payload type itself is a member.
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${upperFirst(fieldName)}Result`,
      description: 'The payload of the mutation, or one of the typed errors it can return.',
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      authScopes: { authenticated: true },
      description: 'Fetches an object by its global id.',
    },
    nodesQueryOptions: {
      authScopes: { authenticated: true },
      description: 'Fetches objects by their global ids.',
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection stands.' },
    nodeTypeOptions: { description: 'An object with a global id.' },
    idFieldOptions: { description: 'Global id (Relay).' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page; pass it as `after`.' },
    cursorFieldOptions: { description: 'Where this item stands; pass it as `after` to continue from here.' },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: { description: 'The items of this page, with their cursors.' },
    pageInfoFieldOptions: { description: 'Paging information.' },
    firstArgOptions: { description: 'At most this many items (forward paging; at most 100).' },
    afterArgOptions: { description: 'Items after this cursor.' },
    lastArgOptions: { description: 'At most this many items, counted from the end.' },
    beforeArgOptions: { description: 'Items before this cursor.' },
    defaultConnectionTypeOptions: { description: 'A page of a list.' },
    defaultEdgeTypeOptions: { description: 'An item of a list, with its cursor.' },
  },
});

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

builder.queryType({ description: 'Read access to Guichet. Every field states who may read it.' });
builder.mutationType({
  description: 'Every change to Guichet. Each mutation returns a payload or typed errors.',
});
