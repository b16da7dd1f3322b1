import type { GraphQLContext } from '@guichet/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionResult, GraphQLError } from 'graphql';
import {
  type GraphQLParams,
  isAsyncIterable,
  processRegularResult,
  type YogaServerInstance,
} from 'graphql-yoga';
import { exposeError } from './graphql-errors.js';

/*
 * The common GraphQL call — a JSON POST of one query or mutation, answered as JSON — without
 * yoga's fetch-API layer. On a small read that layer (a web Request built from the Node one, the
 * body fastify already parsed serialised and parsed again, the request-parser hooks, a web
 * Response read back into a buffer) cost about as much as the query itself.
 *
 * What still runs is yoga's own pipeline from the parameters on: its onParams hooks (parameter
 * checks), every envelop plugin (query limits, parse/validation cache, masking, idempotency,
 * logging and metrics), context, execution, and its regular result processor for any answer
 * with errors, so codes, messages and HTTP statuses are the ones yoga gives. Everything this
 * does not recognise goes to yoga whole, before anything has run: GET, other content types,
 * batches, odd parameters, subscriptions, an Accept header yoga would answer with a stream, and
 * any request with an Origin header (yoga's CORS answers those).
 */

interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}
type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;

type Params = GraphQLParams & { query: string };

const PARAMS = new Set(['query', 'variables', 'operationName', 'extensions']);
const REGULAR = ['application/graphql-response+json', 'application/json'] as const;
// Conservative: a query merely mentioning the word goes the long way, which is always right.
const SUBSCRIPTION = /subscription/i;

/** The body, when it is one plain operation this path may answer; otherwise undefined. */
export function fastParams(req: FastifyRequest): Params | undefined {
  if (req.method !== 'POST' || req.headers.origin !== undefined) return undefined;
  const type = req.headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) return undefined;
  const body = req.body as Record<string, unknown> | null | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  for (const key in body) if (body[key] != null && !PARAMS.has(key)) return undefined;
  const { query, variables, operationName, extensions } = body;
  if (typeof query !== 'string' || SUBSCRIPTION.test(query)) return undefined;
  if (!isObjectOrNull(variables) || !isObjectOrNull(extensions)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  return body as unknown as Params;
}

const isObjectOrNull = (v: unknown) => v == null || (typeof v === 'object' && !Array.isArray(v));

/**
 * The media type yoga's result processors would pick for a single (non-streamed) result, if it
 * is one of the JSON ones: the same walk as yoga's useResultProcessors, for its last processor
 * (the regular one, which wins whenever it matches). Undefined: yoga would stream or refuse.
 */
export function jsonMediaType(accept: string | undefined): string | undefined {
  const key = accept ?? '';
  if (mediaTypes.has(key)) return mediaTypes.get(key);
  const chosen = chooseMediaType(accept);
  // Clients send a handful of distinct Accept headers; a stranger's variety is not kept.
  if (mediaTypes.size < 64) mediaTypes.set(key, chosen);
  return chosen;
}
const mediaTypes = new Map<string, string | undefined>();

function chooseMediaType(accept: string | undefined): string | undefined {
  const asked = (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .flatMap((a) => {
      const [type, ...params] = a.split(';');
      const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
      return type !== undefined && charset === 'charset=utf-8' ? [type] : [];
    })
    .reverse();
  let chosen: string | undefined;
  for (const want of asked) {
    const [wantPre, wantSuf] = want.split('/');
    for (const offered of REGULAR) {
      const [pre, suf] = offered.split('/');
      if ((wantPre === '*' || wantPre === pre) && (wantSuf === '*' || wantSuf === suf)) chosen = offered;
    }
  }
  return chosen;
}

/**
 * Only what the plugins read of a web Request: the method (mutations over GET), a header
 * (Idempotency-Key), and an identity to key per-request state on. Subscriptions, which want
 * its abort signal, never come this way.
 */
class NodeBackedRequest {
  readonly method = 'POST';
  constructor(private readonly req: FastifyRequest) {}
  get url(): string {
    return `http://${this.req.headers.host ?? 'localhost'}${this.req.url}`;
  }
  readonly headers = {
    get: (name: string): string | null => {
      const v = this.req.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    has: (name: string): boolean => this.req.headers[name.toLowerCase()] !== undefined,
  };
}

export async function answerFast(
  yoga: Yoga,
  req: FastifyRequest,
  reply: FastifyReply,
  params: Params,
  mediaType: string,
): Promise<FastifyReply> {
  const request = new NodeBackedRequest(req) as unknown as Request;
  let result: ExecutionResult | AsyncIterable<ExecutionResult>;
  try {
    const r = await yoga.getResultForParams({ params, request }, { req, reply, request } as ServerContext);
    if (!r) throw new Error('yoga gave no result');
    result = r;
  } catch (e) {
    // yoga's handler masks an error thrown around execution the same way (its maskError).
    result = { errors: [exposeError(e) as GraphQLError] };
  }
  if (!isAsyncIterable(result) && !result.errors?.length && !result.extensions?.http) {
    const stringify = (result as { stringify?: (r: unknown) => string }).stringify ?? JSON.stringify;
    return reply.status(200).header('content-type', `${mediaType}; charset=utf-8`).send(stringify(result));
  }
  // Errors (or a stream nobody asked for): yoga's own processor sets status, headers and body.
  const res = await processRegularResult(result as ExecutionResult, yoga.fetchAPI, mediaType);
  res.headers.forEach((v, k) => {
    reply.header(k, v);
  });
  return reply.status(res.status).send(res.body === null ? undefined : Buffer.from(await res.arrayBuffer()));
}
