import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the RIPE Database REST API (the one system that cannot run here), speaking
 * its real JSON ("whois-resources") and the real whois message templates for the cases it
 * implements: create, lookup, modify, delete of inetnum/inet6num/route/route6, `dry-run`,
 * API-key auth against `mnt-by`, mandatory attributes, existing keys. Statuses and parents are
 * NOT checked: the client side enforces them, and seeding a whole hierarchy would drown tests.
 *
 * Texts are whois's own (UpdateMessages, ValidationMessages, QueryMessages, RestMessages); the
 * HTTP statuses follow InternalUpdatePerformer.createResponse: 200 success (also for create),
 * 400 failed, 401 failed authentication, 409 "Enforced new keyword…", 404 unknown key.
 * Kept independent of services/ipam on purpose: the client is tested against a second reading
 * of the wire format, not against its own code.
 */

export interface StandinObject {
  type: string;
  attributes: { name: string; value: string }[];
}

export interface RipeStandinKey {
  /** 24 alphanumerics, as RIPE issues them (whois only treats such ids as API keys). */
  keyId: string;
  secret: string;
  /** Maintainers the key may act for; absent = any (whois scopes keys to mntners). */
  maintainers?: string[];
}

export interface RipeStandinOptions {
  source?: string;
  apiKeys?: RipeStandinKey[];
  port?: number;
}

export interface RipeStandin {
  /** Base URL to give the client (`http://127.0.0.1:PORT`), paths are `/{source}/{type}…`. */
  url: string;
  port: number;
  /** Stored objects (with their generated `created`/`last-modified`). */
  objects(): StandinObject[];
  /** Stores an object without checks, e.g. the operator's ALLOCATED PA. */
  seed(obj: StandinObject): void;
  /** Every request seen, to assert e.g. that a dry run preceded a write. */
  requests: { method: string; path: string; dryRun: boolean }[];
  /** The next request gets this HTTP status with an HTML body, as a failing proxy would send. */
  failNext(status: number): void;
  stop(): Promise<void>;
}

type Msg = {
  severity: 'Error' | 'Warning' | 'Info';
  text: string;
  args?: { value: string }[];
  attribute?: { name: string; value: string };
};
const err = (text: string, ...args: string[]): Msg => ({
  severity: 'Error',
  text,
  args: args.map((value) => ({ value })),
});

const MANDATORY: Record<string, string[]> = {
  inetnum: ['inetnum', 'netname', 'country', 'admin-c', 'tech-c', 'status', 'mnt-by', 'source'],
  inet6num: ['inet6num', 'netname', 'country', 'admin-c', 'tech-c', 'status', 'mnt-by', 'source'],
  route: ['route', 'origin', 'mnt-by', 'source'],
  route6: ['route6', 'origin', 'mnt-by', 'source'],
};
const MNT_REFS = new Set(['mnt-by', 'mnt-lower', 'mnt-routes', 'mnt-domains']);

const v4 = (s: string) => {
  const p = s.split('.').map(Number);
  return p.length === 4 && p.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)
    ? p.reduce((a, o) => a * 256 + o, 0)
    : undefined;
};
const fmt4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The database's own key for an object: CIDR inetnums become ranges, as whois converts them. */
function canonicalKey(type: string, raw: string): string | undefined {
  const k = raw.trim().replace(/\s+/g, ' ');
  if (type === 'inetnum') {
    const cidr = /^([\d.]+)\/(\d+)$/.exec(k);
    if (cidr) {
      const start = v4(cidr[1]!);
      const len = Number(cidr[2]);
      if (start === undefined || len > 32 || start % 2 ** (32 - len) !== 0) return undefined;
      return `${fmt4(start)} - ${fmt4(start + 2 ** (32 - len) - 1)}`;
    }
    const m = /^([\d.]+) ?- ?([\d.]+)$/.exec(k);
    const [a, b] = m ? [v4(m[1]!), v4(m[2]!)] : [];
    return a !== undefined && b !== undefined && a <= b ? `${fmt4(a)} - ${fmt4(b)}` : undefined;
  }
  return /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(k) ? k.toLowerCase() : undefined;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const values = (o: StandinObject, n: string) => o.attributes.filter((a) => a.name === n).map((a) => a.value);

export async function startRipeStandin(opts: RipeStandinOptions = {}): Promise<RipeStandin> {
  const source = (opts.source ?? 'TEST').toUpperCase();
  const store = new Map<string, StandinObject>();
  const requests: RipeStandin['requests'] = [];
  let failStatus: number | undefined;
  let base = '';

  const idFor = (type: string, key: string, origin: string) =>
    `${type}:${canonicalKey(type, key) ?? key.toLowerCase()}${origin.toUpperCase()}`;
  const idOf = (o: StandinObject) =>
    idFor(o.type, o.attributes[0]!.value, o.type.startsWith('route') ? (values(o, 'origin')[0] ?? '') : '');
  const pkey = (o: StandinObject) =>
    `${o.attributes[0]!.value}${o.type.startsWith('route') ? (values(o, 'origin')[0] ?? '') : ''}`;

  function objectJson(o: StandinObject) {
    const db = `https://rest-test.db.ripe.net/${source.toLowerCase()}`;
    const attr = ({ name, value }: { name: string; value: string }) =>
      MNT_REFS.has(name) ? { name, value, 'referenced-type': 'mntner' } : { name, value };
    const pk = o.attributes.filter(
      (a) => a.name === o.type || (o.type.startsWith('route') && a.name === 'origin'),
    );
    return {
      type: o.type,
      link: { type: 'locator', href: `${db}/${o.type}/${pkey(o)}` },
      source: { id: source.toLowerCase() },
      'primary-key': { attribute: pk.map(attr) },
      attributes: { attribute: o.attributes.map(attr) },
    };
  }

  function send(res: ServerResponse, status: number, url: string, obj?: StandinObject, msgs: Msg[] = []) {
    const terms = { type: 'locator', href: 'https://docs.db.ripe.net/terms-conditions.html' };
    const body = {
      link: { type: 'locator', href: `${base}${url}` },
      ...(obj ? { objects: { object: [objectJson(obj)] } } : {}),
      ...(msgs.length ? { errormessages: { errormessage: msgs } } : {}),
      'terms-and-conditions': terms,
    };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  /** The maintainers the request's API key may act for (`*` = any), or none. */
  function credentials(req: IncomingMessage): string[] {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Basic ')) return [];
    const [id, ...rest] = Buffer.from(h.slice(6), 'base64').toString('latin1').split(':');
    const key = (opts.apiKeys ?? []).find((k) => k.keyId === id && k.secret === rest.join(':'));
    if (!key || !/^[A-Za-z0-9]{24}$/.test(key.keyId)) return [];
    return key.maintainers?.map((m) => m.toUpperCase()) ?? ['*'];
  }

  function authorised(req: IncomingMessage, o: StandinObject): Msg | undefined {
    const mntners = values(o, 'mnt-by');
    const creds = credentials(req);
    if (creds.includes('*') || mntners.some((m) => creds.includes(m.toUpperCase()))) return undefined;
    return err(
      'Authorisation for [%s] %s failed\nusing "%s:"\nnot authenticated by: %s',
      o.type,
      pkey(o),
      'mnt-by',
      mntners.join(', '),
    );
  }

  /** Syntax and template checks; returns the errors, and normalises the key in place. */
  function validate(o: StandinObject, infos: Msg[]): Msg[] {
    const errors: Msg[] = [];
    for (const name of MANDATORY[o.type] ?? []) {
      if (!values(o, name).some((v) => v.trim()))
        errors.push(err('Mandatory attribute "%s" is missing', name));
    }
    const status = (values(o, 'status')[0] ?? '').toUpperCase();
    if (o.type === 'inet6num' && status === 'AGGREGATED-BY-LIR' && !values(o, 'assignment-size').length) {
      errors.push(err('Missing required "%s" attribute', 'assignment-size'));
    }
    for (const s of values(o, 'source')) {
      if (s.trim().toUpperCase() !== source) errors.push(err('Unrecognized source: %s', s.trim()));
    }
    const first = o.attributes[0]!;
    const key = canonicalKey(o.type, first.value);
    if (o.type.startsWith('inet') && key === undefined) {
      errors.push({ ...err('Syntax error in %s', first.value), attribute: { ...first } });
    } else if (o.type === 'inetnum' && key !== first.value) {
      infos.push({ ...err('Value %s converted to %s', first.value, key!), severity: 'Info' });
      first.value = key!;
    }
    return errors;
  }

  async function readBody(req: IncomingMessage): Promise<StandinObject | Msg> {
    let text = '';
    for await (const chunk of req) text += chunk;
    let objs: { type?: string; attributes?: { attribute?: { name: string; value: string }[] } }[];
    try {
      objs = JSON.parse(text)?.objects?.object ?? [];
    } catch {
      return err('Invalid JSON in request body');
    }
    if (objs.length !== 1)
      return err('Single object expected in WhoisResources (found %d)', String(objs.length));
    const attributes = (objs[0]!.attributes?.attribute ?? [])
      .map((a) => ({ name: String(a.name).toLowerCase(), value: String(a.value ?? '').trim() }))
      .filter((a) => a.name !== 'created' && a.name !== 'last-modified');
    if (!attributes.length) return err('Single object expected in WhoisResources (found %d)', '0');
    return { type: attributes[0]!.name, attributes };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://standin');
    const dry = url.searchParams.has('dry-run') && url.searchParams.get('dry-run') !== 'false';
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, dryRun: dry });
    if (failStatus !== undefined) {
      const status = failStatus;
      failStatus = undefined;
      res.writeHead(status, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
      return;
    }
    const [src = '', type = '', ...rest] = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const key = rest.join('/');
    const reply = (status: number, obj?: StandinObject, msgs: Msg[] = []) =>
      send(res, status, req.url ?? '', obj, msgs);
    if (src.toUpperCase() !== source) return reply(400, undefined, [err("Invalid source '%s'", src)]);
    if (!MANDATORY[type]) return reply(400, undefined, [err("Invalid object type '%s'", type)]);

    // A route key is prefix + origin run together (193.0.0.0/21AS3333).
    const asn = type.startsWith('route') ? (/AS\d+$/i.exec(key)?.[0] ?? '') : '';
    const lookupId = idFor(type, key.slice(0, key.length - asn.length), asn);
    const existing = key ? store.get(lookupId) : undefined;
    const notFound = () =>
      reply(404, undefined, [err('ERROR:101: no entries found\n\nNo entries found in source %s.', source)]);

    if (method === 'GET') return existing ? reply(200, existing) : notFound();
    const done: Msg[] = dry
      ? [{ severity: 'Info', text: 'Dry-run performed, no changes to the database have been made' }]
      : [];

    if (method === 'DELETE') {
      if (!existing) return notFound();
      const denied = authorised(req, existing);
      if (denied) return reply(401, undefined, [denied]);
      if (!dry) store.delete(lookupId);
      return reply(200, existing, done);
    }
    if (method !== 'POST' && method !== 'PUT') return reply(405, undefined, [err('Method not allowed')]);

    const body = await readBody(req);
    if (!('type' in body)) return reply(400, undefined, [body]);
    const infos: Msg[] = [];
    if (body.type !== type || (method === 'PUT' && pkey(body) !== key && idOf(body) !== lookupId)) {
      return reply(400, undefined, [
        err(
          'Object type and key specified in URI (%s: %s) do not match the WhoisResources contents',
          type,
          key,
        ),
      ]);
    }
    const errors = validate(body, infos);
    const id = idOf(body);
    const current = store.get(id);
    // whois: POST carries the NEW keyword; PUT with no keyword creates when the key is free.
    if (method === 'POST' && current) {
      return reply(409, body, [
        err('Enforced new keyword specified, but the object already exists in the database'),
      ]);
    }
    if (errors.length) return reply(400, body, [...errors, ...infos]);
    const denied = authorised(req, current ?? body) ?? (current ? authorised(req, body) : undefined);
    if (denied) return reply(401, body, [denied]);
    if (current && values(current, 'status')[0]?.toUpperCase() !== values(body, 'status')[0]?.toUpperCase()) {
      return reply(400, body, [
        err('status value cannot be changed, you must delete and re-create the object'),
      ]);
    }
    const same =
      current &&
      JSON.stringify(current.attributes.filter((a) => a.name !== 'created' && a.name !== 'last-modified')) ===
        JSON.stringify(body.attributes);
    if (same) infos.push({ severity: 'Warning', text: 'Submitted object identical to database object' });
    const at = now();
    const stored: StandinObject = {
      type: body.type,
      attributes: [
        ...body.attributes.filter((a) => a.name !== 'source'),
        { name: 'created', value: current ? (values(current, 'created')[0] ?? at) : at },
        { name: 'last-modified', value: same ? (values(current, 'last-modified')[0] ?? at) : at },
        ...body.attributes.filter((a) => a.name === 'source'),
      ],
    };
    if (!dry) store.set(id, stored);
    return reply(200, stored, [...infos, ...done]);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    port,
    requests,
    objects: () => [...store.values()].map((o) => structuredClone(o)),
    seed(obj) {
      store.set(idOf(obj), structuredClone(obj));
    },
    failNext(status) {
      failStatus = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
