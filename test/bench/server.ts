import { randomBytes } from 'node:crypto';
import { buildApp, createApiToken, createLocalStaff } from '@guichet/api';
import { composeEnv, loadComposedConfig } from '@guichet/compose';
import { type Actor, createLogger, systemClock } from '@guichet/core';
import { type Database, openDatabase } from '@guichet/db';
import postgres from 'postgres';
import { GRAPHQL_QUERY, PLAIN_PATH, registerPlainTokens } from './plain-tokens.js';

/*
 * The bench's server, run as a child of run.ts so autocannon does not share its event loop.
 * The real app (buildApp) plus the plain route on the same instance, a seeded staff member with
 * API tokens, then one JSON line on stdout: { port, token, pid, engine, rows, dbName? }.
 * Env: BENCH_DATABASE_URL (PostgreSQL admin URL; a throwaway database is created and dropped),
 * else in-memory PGlite. Config (RATE_LIMIT_PER_MINUTE, LOG_LEVEL) comes from the env as usual.
 */

const TOKENS = 20;

const adminUrl = process.env.BENCH_DATABASE_URL;
let dbName: string | undefined;
let database: Database;
if (adminUrl) {
  // The name carries the pid so run.ts can drop it if this process dies without cleaning up.
  dbName = `guichet_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  database = await openDatabase({ url: url.toString() });
} else {
  database = await openDatabase({});
}

const composed = loadComposedConfig(process.env);
const config = composed.core;
const env = composeEnv({ database, config: composed, logger: createLogger(config.LOG_LEVEL) });
const app = await buildApp({ env });
registerPlainTokens(app, database, config);

// A non-admin staff member, so listTokens runs its real WHERE (own tokens or created by me).
const staff = await createLocalStaff(database, { username: 'bench', displayName: 'Bench', roles: ['noc'] });
const actor: Actor = {
  kind: 'staff',
  id: staff.id,
  username: staff.username,
  displayName: staff.displayName,
  roles: ['noc'],
  credential: { method: 'session', scope: 'write' },
};
let token = '';
for (let i = 1; i <= TOKENS; i++) {
  const issued = await createApiToken(
    database,
    { actor, requestId: `bench-seed-${i}`, clock: systemClock },
    { name: `bench token ${String(i).padStart(2, '0')}`, scope: 'read' },
  );
  token ||= issued.secret;
}

const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
};
const graphql = () =>
  app.inject({ method: 'POST', url: '/graphql', headers, payload: JSON.stringify({ query: GRAPHQL_QUERY }) });
const plain = () => app.inject({ method: 'GET', url: PLAIN_PATH, headers });

// The first use writes last_used_at; afterwards both paths are reads only (for five minutes).
const first = await graphql();
if (first.statusCode !== 200) throw new Error(`GraphQL check: HTTP ${first.statusCode} ${first.body}`);
const gqlRows = (first.json() as { data?: { tokens?: { id: string }[] } }).data?.tokens;
const plainRes = await plain();
const plainRows = (plainRes.json() as { tokens?: { id: string }[] }).tokens;
if (!gqlRows || gqlRows.length !== TOKENS)
  throw new Error(`GraphQL check: expected ${TOKENS} tokens, got ${first.body}`);
if (JSON.stringify(plainRows) !== JSON.stringify(gqlRows)) {
  throw new Error(`plain route and GraphQL disagree:\n${plainRes.body}\n${first.body}`);
}
if (database.pglite) await checkSameSql(database);

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(
  `${JSON.stringify({ port, token, pid: process.pid, engine: database.engine, rows: TOKENS, dbName })}\n`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await database.close();
  if (adminUrl && dbName) {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

/**
 * Both paths must do the same database work for the ratio to mean anything: record what
 * reaches PGlite during one request of each kind and compare (parameters aside: the hash and
 * ids are the same, timestamps are not sent on a read).
 */
async function checkSameSql(db: Database): Promise<void> {
  const pg = db.pglite!;
  const original = pg.query.bind(pg);
  let seen: string[] = [];
  (pg as { query: unknown }).query = (text: string, ...rest: unknown[]) => {
    seen.push(text);
    return (original as (...a: unknown[]) => unknown)(text, ...rest);
  };
  try {
    await graphql();
    const viaGraphql = seen;
    seen = [];
    await plain();
    if (JSON.stringify(seen) !== JSON.stringify(viaGraphql) || viaGraphql.length === 0) {
      throw new Error(
        `plain route SQL differs from the api's:\n${seen.join('\n')}\n--- api:\n${viaGraphql.join('\n')}`,
      );
    }
  } finally {
    (pg as { query: unknown }).query = original;
  }
}
