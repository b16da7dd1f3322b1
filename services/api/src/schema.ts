import { LINES, loadLineGraphQL } from '@guichet/compose';
import { builder } from '@guichet/graphql';
import type { GraphQLSchema } from 'graphql';
// The platform registers its types on the shared builder when imported; the service lines are
// those of the composition list (@guichet/compose), registered through their descriptors.
import '@guichet/audit';
import '@guichet/membership';
import '@guichet/workflow';
import './auth/graphql.js';
import './auth/staff-directory.js';

let schema: Promise<GraphQLSchema> | undefined;

/** The composed schema (built once per process: Pothos' builder is a singleton). */
export function buildSchema(): Promise<GraphQLSchema> {
  schema ??= loadLineGraphQL(LINES).then(() => builder.toSchema({ sortSchema: true }));
  return schema;
}
