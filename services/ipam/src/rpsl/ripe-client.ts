import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { primaryKey, type RpslObject, type RpslType } from './model.js';
import {
  messagesOf,
  objectFrom,
  type RipeMessage,
  toWhoisResources,
  type WhoisResourcesJson,
} from './whois-json.js';

/**
 * A client for the RIPE Database REST API (whois-api WhoisRestService) over Node's fetch.
 *
 * - Auth: a RIPE API key sent as `Authorization: Basic base64(keyId:secret)` (reference §8).
 *   Never in the query string, so it cannot end up in an access log, and never in our errors
 *   or logs (only the key id's presence is logged).
 * - Writes accept `dryRun`; `apply()` always dry-runs first so a rejected object never
 *   half-happens and the real call is only made for something the database already accepted.
 * - Failures become DomainErrors: 400 → ValidationError (attribute-level issues), 404 →
 *   NotFoundError, 409/"already exists" → ConflictError, 401/403 → ForbiddenError (the
 *   maintainer did not authorise our key), network/timeout/5xx → UnavailableError (retryable).
 */

export interface RipeApiKey {
  /** The 24-character key id RIPE shows when the key is created. */
  keyId: string;
  secret: string;
}

export interface RipeClientOptions {
  /** `https://rest.db.ripe.net` (production) or `https://rest-test.db.ripe.net` (TEST). */
  baseUrl: string;
  /** `RIPE` or `TEST`: the path segment and the source the server expects. */
  source: string;
  apiKey?: RipeApiKey;
  /** Per request, body included. Domain writes are Zonemaster-checked and can take minutes. */
  timeoutMs?: number;
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface WriteOptions {
  dryRun?: boolean;
}

export interface RipeWriteResult {
  /** The object as the database has (or, in a dry run, would have) it. */
  object: RpslObject | undefined;
  /** Warnings and info from the server (a dry run always carries its notice). */
  messages: RipeMessage[];
  dryRun: boolean;
}

export interface RipeClient {
  get(type: RpslType, key: string): Promise<RpslObject>;
  create(obj: RpslObject, opts?: WriteOptions): Promise<RipeWriteResult>;
  modify(obj: RpslObject, opts?: WriteOptions): Promise<RipeWriteResult>;
  delete(type: RpslType, key: string, opts?: WriteOptions & { reason?: string }): Promise<RipeWriteResult>;
  /** Dry-run, then the real write. */
  apply(obj: RpslObject, opts?: { operation?: 'create' | 'modify' }): Promise<RipeWriteResult>;
}

const DEPENDENCY = 'ripe-db';

// Keys travel in the path; RIPE's own links keep ':' and '/' literal (inet6num 2001:db8::/32,
// route 193.0.0.0/21AS3333), and encoded slashes are refused by many proxies.
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

function errorFor(
  status: number,
  res: WhoisResourcesJson | undefined,
  what: { type: string; key: string },
): DomainError {
  const errors = messagesOf(res).filter((m) => m.severity === 'Error');
  const text = errors.map((m) => m.text).join('; ') || `HTTP ${status}`;
  if (status === 404) return new NotFoundError(what.type, what.key);
  if (status === 409 || /already exists|has been modified/i.test(text)) {
    return new ConflictError(`RIPE database: ${what.type} ${what.key}: ${text}`);
  }
  if (status === 401 || status === 403) return new ForbiddenError(`RIPE database: ${text}`);
  if (status === 400) {
    const issues = errors.map((m) => ({ path: m.attribute ? [m.attribute] : [], message: m.text }));
    return new ValidationError(`RIPE database rejected ${what.type} ${what.key}: ${text}`, issues);
  }
  return new UnavailableError(
    DEPENDENCY,
    `RIPE database answered HTTP ${status} for ${what.type} ${what.key}`,
  );
}

export function createRipeClient(options: RipeClientOptions): RipeClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const source = options.source.toUpperCase();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const auth = options.apiKey
    ? `Basic ${Buffer.from(`${options.apiKey.keyId}:${options.apiKey.secret}`).toString('base64')}`
    : undefined;

  async function call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: string[],
    what: { type: string; key: string },
    body?: WhoisResourcesJson,
  ): Promise<{ status: number; res: WhoisResourcesJson | undefined }> {
    const url = `${base}/${source.toLowerCase()}/${path}${query.length ? `?${query.join('&')}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (auth) headers.authorization = auth;
    const started = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      // Only the error's name/code: undici's causes can carry the request, headers included.
      const why =
        err.name === 'TimeoutError' || err.name === 'AbortError'
          ? `did not answer within ${timeoutMs} ms`
          : `could not be reached (${err.cause?.code ?? err.name})`;
      options.logger?.warn({ method, type: what.type, key: what.key, why }, 'ripe request failed');
      throw new UnavailableError(DEPENDENCY, `RIPE database ${why} (${method} ${what.type} ${what.key})`);
    }
    let res: WhoisResourcesJson | undefined;
    try {
      res = text ? (JSON.parse(text) as WhoisResourcesJson) : undefined;
    } catch {
      // A proxy's HTML error page, typically: only the status tells us anything.
      res = undefined;
    }
    options.logger?.debug(
      {
        method,
        type: what.type,
        key: what.key,
        status: response.status,
        ms: Date.now() - started,
        apiKey: !!auth,
      },
      'ripe request',
    );
    if (!response.ok) throw errorFor(response.status, res, what);
    if (res === undefined) {
      throw new UnavailableError(DEPENDENCY, `RIPE database sent a non-JSON ${response.status} answer`);
    }
    return { status: response.status, res };
  }

  const dry = (opts?: WriteOptions) => (opts?.dryRun ? ['dry-run=true'] : []);

  function result(res: WhoisResourcesJson | undefined, type: RpslType, dryRun: boolean): RipeWriteResult {
    return {
      object: objectFrom(res, type),
      messages: messagesOf(res).filter((m) => m.severity !== 'Error'),
      dryRun,
    };
  }

  const client: RipeClient = {
    async get(type, key) {
      const what = { type, key };
      // `unfiltered` so notify/e-mail come back and drift reports compare whole objects.
      const { res } = await call('GET', `${type}/${encodeKey(key)}`, ['unfiltered'], what);
      const obj = objectFrom(res, type);
      if (!obj) throw new NotFoundError(type, key);
      return obj;
    },

    async create(obj, opts) {
      const what = { type: obj.type, key: primaryKey(obj) };
      const { res } = await call('POST', obj.type, dry(opts), what, toWhoisResources(obj, source));
      return result(res, obj.type, !!opts?.dryRun);
    },

    async modify(obj, opts) {
      const key = primaryKey(obj);
      const what = { type: obj.type, key };
      const { res } = await call(
        'PUT',
        `${obj.type}/${encodeKey(key)}`,
        dry(opts),
        what,
        toWhoisResources(obj, source),
      );
      return result(res, obj.type, !!opts?.dryRun);
    },

    async delete(type, key, opts) {
      const query = [...dry(opts)];
      if (opts?.reason) query.push(`reason=${encodeURIComponent(opts.reason)}`);
      const { res } = await call('DELETE', `${type}/${encodeKey(key)}`, query, { type, key });
      return result(res, type, !!opts?.dryRun);
    },

    async apply(obj, opts) {
      const write = opts?.operation === 'modify' ? client.modify : client.create;
      await write(obj, { dryRun: true });
      return write(obj);
    },
  };
  return client;
}
