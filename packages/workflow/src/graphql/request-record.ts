import { ChangeLogEntry, changeConnection, contactChangeScope, listChanges } from '@guichet/audit';
import { batchLoader, builder } from '@guichet/graphql';
import { TicketCommentType } from '../tickets/graphql-types.js';
import { commentsOfRequests } from '../tickets/queries.js';
import { RequestRef } from './requests.js';

/**
 * A request's record on its page: its change log and the comments of its ticket, each as the
 * viewer may read them (the institution's contacts never get an internal comment).
 */

builder.objectField(RequestRef, 'changes', (t) =>
  t.connection({
    type: ChangeLogEntry,
    nullable: true,
    description:
      "Its change log (the request before and after each change), newest first: staff and the institution's own contacts; null for anyone else.",
    // One statement per request: a request page's field, not one for a list of requests.
    resolve: (r, args, { database, ctx }) => {
      const scope = contactChangeScope(ctx.actor, r.institutionId);
      if (!scope) return null;
      return changeConnection(args, (before, limit) =>
        listChanges(database.db, {
          objectType: 'Request',
          objectId: r.id,
          ...scope,
          ...(before !== undefined ? { before } : {}),
          limit,
        }),
      );
    },
  }),
);

builder.objectField(RequestRef, 'comments', (t) =>
  t.field({
    type: [TicketCommentType],
    description:
      "The comments on its NOC ticket, oldest first: staff read all of them, the institution's contacts only those written for the institution (never an internal one).",
    resolve: (r, _a, c) =>
      batchLoader(c, 'workflow.requestComments', (ids: readonly string[]) =>
        commentsOfRequests(c.database.db, c.ctx.actor, ids),
      ).load(r.id),
  }),
);
