import { builder } from '@guichet/graphql';

// The Subscription root is declared where its first fields are, not in @guichet/graphql: a
// schema built from the builder alone (that package's own tests) would otherwise have an empty
// Subscription type, which graphql-js refuses. Every module adding a subscription field
// imports this one first.
builder.subscriptionType({
  description:
    'Live updates over server-sent events (POST with `accept: text/event-stream`). Each field sends only what the caller could read with a query.',
});
