import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { composeEnv, LINES, loadComposedConfig } from '@guichet/compose';
import {
  type Config,
  type ContactRole,
  type createLogger,
  createSecretBox,
  type RequestContext,
  systemContext,
} from '@guichet/core';
import type { Database } from '@guichet/db';
import { createJobRunner, type JobDefinition, type JobRunner } from '@guichet/jobs';
import { contactActor, listContacts } from '@guichet/membership';
import type { AnyLine, ComposedEnv, CreateEnvOptions } from '@guichet/workflow';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { createLocalStaff } from './auth/staff.js';
import { createApiToken, issueSession } from './auth/tokens.js';

/**
 * For api-tier tests: the real fastify app on a given database, with its log lines captured so
 * a test can assert that nothing was logged as a crash. Production code never imports this.
 */
export async function testApp(
  database: Database,
  env: Record<string, string> = {},
  opts: {
    /** `jobs: true` runs the api's own jobs (as in embedded mode); a list runs those instead. */
    jobs?: boolean | JobDefinition<any>[];
    /** The lines composed (default: the composition list). */
    lines?: readonly AnyLine[];
    /** Adjust a line's runtime (a checker on a test port, a publisher to a test Knot…). */
    runtimes?: CreateEnvOptions['runtimes'];
  } = {},
) {
  const composed = loadComposedConfig({ LOG_LEVEL: 'info', ...env }, opts.lines ?? LINES);
  const config: Config = composed.core;
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink) as unknown as ReturnType<typeof createLogger>;
  const composedEnv: ComposedEnv = composeEnv({
    database,
    config: composed,
    logger,
    lines: opts.lines ?? LINES,
    secrets: createSecretBox(randomBytes(32)),
    ...(opts.runtimes ? { runtimes: opts.runtimes } : {}),
  });
  let jobs: JobRunner | null = null;
  if (opts.jobs) {
    const definitions = opts.jobs === true ? composedEnv.jobDefinitions() : opts.jobs;
    jobs = createJobRunner(database, { definitions, logger, pollingIntervalSeconds: 0.5 });
    composedEnv.attachJobs(jobs);
    await jobs.start({ work: true });
  }
  const app = await buildApp({ env: composedEnv });
  return {
    app,
    jobs,
    env: composedEnv,
    /** Closes the app and stops the job runner (the database stays open). */
    close: async () => {
      await app.close();
      await jobs?.stop();
    },
    config,
    logs: lines,
    /** Log lines at level error (50) or above. */
    crashes: () => lines.filter((l) => Number(l.level) >= 50),
    gql: (
      query: string,
      variables?: Record<string, unknown>,
      token?: string,
      headers: Record<string, string> = {},
    ) => gql(app, query, variables, token, headers),
  };
}

export async function gql(
  app: FastifyInstance,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    payload: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test helper returns loosely typed GraphQL JSON
  return { status: res.statusCode, headers: res.headers, body: res.json() as any };
}

/** A staff member with the given roles and a session token for them. */
export async function staffWithToken(
  database: Database,
  username: string,
  roles: ('noc' | 'desk' | 'admin')[],
) {
  const staff = await createLocalStaff(database, { username, displayName: username, roles });
  const { secret } = await issueSession(database.db, staff.id, username, new Date(), 1);
  return { staff, token: secret };
}

/** A token for an existing contact (their own credential, as the portal would issue it). */
export async function tokenForContact(
  database: Database,
  contactId: string,
  scope: 'read' | 'write' = 'write',
) {
  const actor = await contactActor(database.db, contactId, { method: 'token', scope: 'write' });
  if (!actor) throw new Error(`contact ${contactId} cannot act`);
  const ctx: RequestContext = { ...systemContext('test'), actor };
  return (await createApiToken(database, ctx, { name: 'portal', scope })).secret;
}

/** A write token for the first contact of an institution holding `role` (technical by default). */
export async function contactToken(
  database: Database,
  institutionId: string,
  role: ContactRole = 'technical',
) {
  const contact = (await listContacts(database.db, institutionId, role))[0];
  if (!contact) throw new Error(`institution ${institutionId} has no ${role} contact`);
  return tokenForContact(database, contact.id);
}

/** The id of a (demo) institution by its short name. */
export async function institutionId(database: Database, shortName: string): Promise<string> {
  const [row] = await database.query<{ id: string }>(
    'SELECT id FROM membership_institutions WHERE short_name = $1',
    [shortName],
  );
  if (!row) throw new Error(`no institution ${shortName}`);
  return row.id;
}
