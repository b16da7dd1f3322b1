import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, freshStore, ok, type Store, startApi, until } from '../../test/e2e/harness.js';

/**
 * infra/deploy/nginx/guichet.conf as shipped (only addresses, port and certificate replaced),
 * in front of the real api, which trusts the federation header from 127.0.0.1 — the address
 * nginx connects from. A client's own header must never get through; the SAML service
 * provider's answer must. The SP is a stand-in answering nginx's auth_request as Shibboleth's
 * authorizer does (200 + `Variable-eppn` for a session, 401 without).
 */

const CONF = readFileSync(join(import.meta.dirname, 'nginx/guichet.conf'), 'utf8');
const SESSION = 'sp-session=valid';

let dir: string;
let store: Store;
let api: ApiProcess;
let sp: Server;
let nginx: ChildProcess;
let port: number;
let eppn: string;
let spEppn = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

function nginxConf(apiPort: number, spPort: number, listen: number): string {
  const site = CONF.replace('server 127.0.0.1:4000;', `server 127.0.0.1:${apiPort};`)
    .replace('http://127.0.0.1:8081/authorize', `http://127.0.0.1:${spPort}/authorize`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${listen} ssl http2;`)
    .replace('/etc/ssl/guichet/fullchain.pem', join(dir, 'cert.pem'))
    .replace('/etc/ssl/guichet/privkey.pem', join(dir, 'key.pem'));
  expect(site).not.toContain(':4000;'); // every replacement found its target
  writeFileSync(join(dir, 'guichet.conf'), site);
  // What /etc/nginx/nginx.conf provides on a host, reduced to a temp prefix.
  return [
    ...(userInfo().uid === 0 ? [`user ${userInfo().username};`] : []),
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    'error_log stderr warn;',
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/client; proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    `  include ${join(dir, 'guichet.conf')};`,
    '}',
    '',
  ].join('\n');
}

/** `{ viewer { kind } }` through nginx over TLS, with the given extra headers. */
function viewerThroughProxy(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; kind?: string; error?: string }> {
  const body = JSON.stringify({ query: '{ viewer { kind } }' });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        servername: 'guichet.renater-example.fr',
        ca: readFileSync(join(dir, 'cert.pem')),
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (!(res.headers['content-type'] ?? '').includes('json')) return resolve({ status });
          const parsed = JSON.parse(text) as {
            data?: { viewer?: { kind?: string } };
            errors?: { extensions?: { code?: string } }[];
          };
          const kind = parsed.data?.viewer?.kind;
          const error = parsed.errors?.[0]?.extensions?.code;
          resolve({ status, ...(kind ? { kind } : {}), ...(error ? { error } : {}) });
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'guichet-nginx-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=guichet.renater-example.fr',
      '-addext',
      'subjectAltName=DNS:guichet.renater-example.fr',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  store = await freshStore();
  api = await startApi({ ...store.env, FEDERATION_TRUSTED_PROXIES: '127.0.0.1' });
  // A technical contact of the demo data: the identity a forged header would claim.
  const { data } = await ok<{ institutions: { edges: { node: { contacts: { eppn: string | null }[] } }[] } }>(
    api.url,
    { token: api.token },
    '{ institutions(first: 1) { edges { node { contacts(role: TECHNICAL) { eppn } } } } }',
  );
  eppn = data.institutions.edges[0]!.node.contacts.find((c) => c.eppn)!.eppn!;
  sp = createServer((req, res) => {
    const session = (req.headers.cookie ?? '').split(/;\s*/).includes(SESSION);
    res.writeHead(session ? 200 : 401, session ? { 'Variable-eppn': spEppn } : {}).end();
  });
  await new Promise<void>((r) => sp.listen(0, '127.0.0.1', r));
  port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(Number(new URL(api.url).port), (sp.address() as AddressInfo).port, port));
  execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', conf]);
  nginx = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await until(
    () =>
      viewerThroughProxy('/graphql', {}).then(
        (r) => r.status === 200,
        () => false,
      ),
    15_000,
    'nginx',
  );
}, 180_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  await new Promise((r) => (nginx?.exitCode === null ? nginx.once('exit', r) : r(null)));
  sp?.close();
  await api?.stop();
  await store?.drop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('nginx example: the federation header comes from the SAML service provider only', () => {
  it('Guichet itself trusts the header from 127.0.0.1 (so the proxy must strip it)', async () => {
    const direct = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', eppn },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect((await direct.json()).data.viewer.kind).toBe('CONTACT');
  });

  it.each(['eppn', 'EPPN', 'Eppn'])('drops a client’s own %s header on the token side', async (name) => {
    expect(await viewerThroughProxy('/graphql', { [name]: eppn })).toEqual({
      status: 200,
      kind: 'ANONYMOUS',
    });
  });

  it('refuses the federated side without an SP session, whatever header the client sends', async () => {
    expect((await viewerThroughProxy('/federated/graphql', { eppn })).status).toBe(401);
  });

  it('passes the SP’s eppn on the federated side, never the client’s', async () => {
    spEppn = eppn;
    expect(await viewerThroughProxy('/federated/graphql', { cookie: SESSION })).toEqual({
      status: 200,
      kind: 'CONTACT',
    });
    // The SP knows this session as someone without an account: the client's header changes nothing.
    spEppn = 'nobody@renater-example.fr';
    expect(await viewerThroughProxy('/federated/graphql', { cookie: SESSION, eppn })).toMatchObject({
      error: 'UNAUTHENTICATED',
    });
  });
});
