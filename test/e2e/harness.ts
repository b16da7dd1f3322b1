import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * The e2e tier's harness: the real api as `pnpm start` runs it (`node scripts/start.mjs api`:
 * the compiled bundle, rebuilt first if a source changed) in its own process group, on the
 * engine the suite runs on, driven over HTTP only.
 */

export const ROOT = join(import.meta.dirname, '../..');

/** Where the api keeps its data: a temp DATA_DIR (PGlite) or a database made on the test server. */
export interface Store {
  engine: 'pglite' | 'postgres';
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}

export async function freshStore(): Promise<Store> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-e2e-'));
    return {
      engine: 'pglite',
      env: { DATA_DIR: dir },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `guichet_e2e_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    // A server is not demo territory by default, and jobs there belong to a separate worker:
    // this test wants both in the one api process.
    env: { DATABASE_URL: url.toString(), DEMO: 'true', JOBS_IN_PROCESS: 'true' },
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A Guichet process the harness started (`pnpm start` / `pnpm worker` as they run them). */
export interface GuichetProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Whether the process has ended (by itself: stop() also ends it). */
  exited(): boolean;
  /** pino's JSON lines on stdout. */
  logLines(): { level: number; msg?: string; [k: string]: unknown }[];
  /** SIGTERM to the group, SIGKILL after 3 s. `clean`: it exited by itself; `left`: the group still has members. */
  stop(): Promise<{ clean: boolean; left: boolean }>;
  /** SIGKILL to the group at once (a crash, an OOM kill), resolved once it is gone. */
  kill(): Promise<void>;
}

export interface ApiProcess extends GuichetProcess {
  url: string;
  /** The demo administrator's token, as printed at start ('' when DEMO is off). */
  token: string;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};
const killGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};

const live = new Set<number>();
// If the test process dies, nothing it started may outlive it.
process.once('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});

/**
 * Spawns `node scripts/start.mjs <entry>` in its own process group and resolves once `ready`
 * finds what it waits for in stdout. The child gets a clean environment: only what it needs,
 * plus `env` (never the caller's DATABASE_URL, LDAP_* or vitest's variables).
 */
async function startGuichet<T>(
  entry: 'api' | 'worker',
  env: Record<string, string>,
  ready: (stdout: string) => T | undefined,
  timeoutMs: number,
): Promise<GuichetProcess & { ready: T }> {
  const base = Object.fromEntries(
    ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  const proc: ChildProcess = spawn(process.execPath, ['scripts/start.mjs', entry], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid!;
  live.add(pid);
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const gone = async () => {
    // Whatever the process spawned (tools, a compile) must be gone too: wait for the whole group.
    const deadline = Date.now() + 3000;
    while (groupAlive(pid) && Date.now() < deadline) await delay(50);
    const left = groupAlive(pid);
    if (left) killGroup(pid, 'SIGKILL');
    live.delete(pid);
    return left;
  };
  const stop = async () => {
    const done = proc.exitCode !== null || proc.signalCode !== null;
    if (!done) killGroup(pid, 'SIGTERM');
    const clean = done || (await Promise.race([exited.then(() => true), delay(3000).then(() => false)]));
    if (!clean) killGroup(pid, 'SIGKILL');
    return { clean, left: await gone() };
  };
  const kill = async () => {
    killGroup(pid, 'SIGKILL');
    await exited;
    await gone();
  };
  const started = await new Promise<T | Error>((resolve) => {
    const check = () => {
      const r = ready(out);
      if (r !== undefined) finish(r);
    };
    const timer = setTimeout(() => finish(new Error(`${entry} not ready within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) =>
      setImmediate(() => finish(new Error(`${entry} exited (${code}) before it was ready`)));
    const finish = (r: T | Error) => {
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      proc.off('exit', onExit);
      resolve(r);
    };
    proc.stdout!.on('data', check);
    proc.once('exit', onExit);
  });
  if (started instanceof Error) {
    await stop();
    throw new Error(`${started.message}\n--- stdout\n${out.slice(-3000)}\n--- stderr\n${err.slice(-3000)}`);
  }
  return {
    ready: started,
    pid,
    exited: () => proc.exitCode !== null || proc.signalCode !== null,
    stdout: () => out,
    stderr: () => err,
    logLines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    stop,
    kill,
  };
}

/**
 * Starts the api and resolves once it printed "Guichet is listening on …" and, in demo mode
 * (the embedded default, or DEMO=true), the demo token.
 */
export async function startApi(env: Record<string, string>, timeoutMs = 90_000): Promise<ApiProcess> {
  const demo = env.DEMO !== 'false' && (env.DEMO === 'true' || !env.DATABASE_URL);
  const p = await startGuichet(
    'api',
    env,
    (out) => {
      const url = /Guichet is listening on (http:\/\/\S+)/.exec(out)?.[1];
      const token = /^\s+(gch_[A-Za-z0-9_-]+)\s*$/m.exec(out)?.[1];
      return url && (token || !demo) ? { url, token: token ?? '' } : undefined;
    },
    timeoutMs,
  );
  const { ready, ...rest } = p;
  return { ...rest, ...ready };
}

/** Starts a job worker (server mode) and resolves once its workers are polling. */
export async function startWorker(env: Record<string, string>, timeoutMs = 90_000): Promise<GuichetProcess> {
  const { ready: _ready, ...rest } = await startGuichet(
    'worker',
    env,
    (out) => (/"msg":"job workers started"/.test(out) ? true : undefined),
    timeoutMs,
  );
  return rest;
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy; throws with the last value after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await delay(100);
  }
}

/** Who calls: a bearer token, or a federated identity passed by the (trusted) SAML proxy. */
export type Who = { token: string } | { eppn: string };

export interface GqlResult<T> {
  data: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** The x-request-id this call was sent with (and the api echoed). */
  requestId: string;
}

let seq = 0;

/** One GraphQL call over HTTP, with a fresh x-request-id of ours, checked in the response. */
export async function gql<T = Record<string, never>>(
  url: string,
  who: Who,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const requestId = `e2e-${randomBytes(4).toString('hex')}-${++seq}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if ('token' in who) headers.authorization = `Bearer ${who.token}`;
  else headers.eppn = who.eppn;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResult<T>, 'requestId'>;
  if (res.headers.get('x-request-id') !== requestId) {
    throw new Error(`x-request-id not echoed: sent ${requestId}, got ${res.headers.get('x-request-id')}`);
  }
  return { ...body, requestId };
}

/** As `gql`, failing on any GraphQL error. */
export async function ok<T>(
  url: string,
  who: Who,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const r = await gql<T>(url, who, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors (${r.requestId}): ${JSON.stringify(r.errors)}`);
  return r;
}

/**
 * `{ viewer { kind } }` with the federation header, sent from `localAddress` (e.g. 127.0.0.2,
 * any loopback address on Linux): fetch cannot pick its source address, node:http can.
 */
export function viewerKindFrom(url: string, localAddress: string, eppn: string): Promise<string> {
  const body = JSON.stringify({ query: '{ viewer { kind } }' });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', eppn } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve(JSON.parse(text).data.viewer.kind));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
