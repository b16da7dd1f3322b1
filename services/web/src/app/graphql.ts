import { print } from '@0no-co/graphql.web';
import { initGraphQLTada, type ResultOf, type TadaDocumentNode, type VariablesOf } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * Typed GraphQL documents (gql.tada: the types are inferred from schema.graphql's
 * introspection in graphql-env.d.ts, which `pnpm schema:print` regenerates) and the one
 * client the portal uses: same-origin POST /graphql with the session cookie and its CSRF header.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    IPPrefix: string;
    IPAddress: string;
    DomainName: string;
    EmailAddress: string;
  };
}>();

export type { ResultOf, VariablesOf };

let csrf = '';
export const setCsrf = (value: string) => {
  csrf = value;
};
export const csrfHeader = () => ({ 'x-guichet-csrf': csrf });

/** The session ended or was never there: the app goes back to sign-in. */
export class SignedOut extends Error {}

export async function gql<R, V>(doc: TadaDocumentNode<R, V>, variables?: V): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...csrfHeader() },
    body: JSON.stringify({ query: print(doc), variables: variables ?? {} }),
  });
  if (res.status === 401) throw new SignedOut();
  const body = (await res.json()) as { data?: R; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as R;
}
