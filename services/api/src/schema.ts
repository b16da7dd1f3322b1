import { builder } from '@guichet/graphql';
import type { GraphQLSchema } from 'graphql';
// Each module registers its types on the shared builder when imported. Service lines are
// composed here, and only here.
import '@guichet/audit';
import '@guichet/membership';
import '@guichet/workflow';
import '@guichet/ipam';
import '@guichet/routing';
import '@guichet/rdns';
import '@guichet/circuits';
import './auth/graphql.js';

let schema: GraphQLSchema | undefined;

/** The composed schema (built once per process: Pothos' builder is a singleton). */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
