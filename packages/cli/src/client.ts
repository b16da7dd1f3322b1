import { print } from 'graphql';
import { CliError, EXIT } from './errors.js';
import type { ResultOf, TadaDocumentNode, VariablesOf } from './graphql.js';

/**
 * The one way the command talks to the server: a GraphQL POST with the token, mapped onto the
 * exit codes. Plain `fetch` (Node 20's, keep-alive by default) and the typed documents of
 * documents.ts: the answer is typed as the document's result (gql.tada's `ResultOf`), its
 * variables as the document's (`VariablesOf`). A raw string is only `guichet api`'s.
 */
export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

export interface RequestOpts {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

// biome-ignore lint/suspicious/noExplicitAny: any document, whatever its result and variables.
export type Document = TadaDocumentNode<any, any>;

export interface Client {
  url: string;
  request<D extends Document>(
    document: D,
    variables: VariablesOf<D>,
    opts?: RequestOpts,
  ): Promise<ResultOf<D>>;
  /**
   * The untyped form: a document the user typed (`guichet api`), or a call site that still
   * names its own answer type `T` instead of the document's (see issue #15's note).
   */
  request<T = Record<string, unknown>>(
    query: string | Document,
    variables?: Record<string, unknown>,
    opts?: RequestOpts,
  ): Promise<T>;
}

/** The text sent for a document, printed once per document. */
const texts = new WeakMap<Document, string>();
const textOf = (document: string | Document): string => {
  if (typeof document === 'string') return document;
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
};

/** Codes of errors that are the caller's command line (a malformed `guichet api` query). */
const USAGE_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

export function createClient(url: string, token?: string): Client {
  return {
    url,
    async request(document: string | Document, variables: unknown = {}, opts: RequestOpts = {}) {
      let res: Response;
      try {
        res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
          },
          body: JSON.stringify({ query: textOf(document), variables }),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          EXIT.UNREACHABLE,
          `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        );
      }
      const text = await res.text();
      let body: { data?: unknown; errors?: GraphQLErrorJson[] };
      try {
        body = JSON.parse(text);
      } catch {
        if (res.status >= 500) throw new CliError(EXIT.UNREACHABLE, `${url} answered HTTP ${res.status}`);
        throw new CliError(EXIT.FAILED, `${url} answered HTTP ${res.status}, not GraphQL`);
      }
      const first = body.errors?.[0];
      if (first) {
        const code = first.extensions?.code ?? 'ERROR';
        const exit =
          res.status === 401 || code === 'UNAUTHENTICATED'
            ? EXIT.AUTH
            : res.status === 503 || code === 'UNAVAILABLE' || res.status === 429
              ? EXIT.UNREACHABLE
              : USAGE_CODES.has(code)
                ? EXIT.USAGE
                : EXIT.FAILED;
        const message = (body.errors ?? []).map((e) => e.message).join('; ');
        throw new CliError(exit, message, code);
      }
      return body.data as never;
    },
  };
}
