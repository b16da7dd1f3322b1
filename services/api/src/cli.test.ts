import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * The `guichet` command (packages/cli) against a real api over HTTP: the command is spawned as
 * a user runs it (`node packages/cli/bin/guichet.mjs`), the api is the real fastify app
 * listening on a port. The bulk run is killed halfway and re-applied: exactly 200 requests.
 */

const BIN = join(import.meta.dirname, '../../../packages/cli/bin/guichet.mjs');
type App = Awaited<ReturnType<typeof testApp>>;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe(`guichet CLI on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let t: App;
  let url: string;
  let instA: string;
  let techA: string;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-'));
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), GUICHET_URL: '', GUICHET_TOKEN: '' };

  function start(
    args: string[],
    extra: Record<string, string> = {},
  ): { child: ChildProcess; done: Promise<Run> } {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const done = new Promise<Run>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, done };
  }
  const cli = (args: string[], extra: Record<string, string> = {}) => start(args, extra).done;
  const count = async (purpose: string) =>
    Number(
      (
        await database.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM workflow_requests WHERE payload->>'purpose' LIKE $1",
          [purpose],
        )
      )[0]?.n,
    );
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {});
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const noc = (await staffWithToken(database, 'noc-cli', ['noc'])).token;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    techA = await contactToken(database, instA);
    const pool = await t.gql(
      `mutation { createPool(input: { name: "v6", prefix: "2001:db8::/32", ripeStatus: "ALLOCATED-BY-RIR", purpose: "t",
        adminC: ["NOC1-RIPE"], techC: ["NOC1-RIPE"], mntBy: ["TEST-MNT"], acceptBogon: true }) { __typename } }`,
      {},
      noc,
    );
    expect(pool.body.data?.createPool.__typename).toBe('CreatePoolPayload');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in (token stored 0600), says who it is, and refuses a bad token with exit 3', async () => {
    const bad = await cli(['login', '--url', url, '--token', 'gch_wrong']);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/error: UNAUTHENTICATED/);
    const login = await cli(['login', '--url', `${url}/graphql`, '--token', techA]);
    expect(login.code, login.stderr).toBe(0);
    expect(statSync(join(dir, 'config/guichet/config.json')).mode & 0o777).toBe(0o600);
    const who = await cli(['--json', 'whoami']);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ server: url, kind: 'CONTACT', scope: 'WRITE' });
  });

  it('files one prefix request, shows it, cancels it; api is the escape hatch', async () => {
    const made = await cli([
      '--json',
      'prefix',
      'request',
      '--institution',
      instA,
      '--family',
      '6',
      '--length',
      '48',
      '--purpose',
      'cli single',
      '--draft',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const req = JSON.parse(made.stdout);
    expect(req).toMatchObject({ kind: 'ipam.prefix', status: 'DRAFT' });
    const shown = await cli(['request', 'show', req.id]);
    expect(shown.stdout).toContain(req.id);
    const cancelled = await cli(['--json', 'request', 'cancel', req.id, '--reason', 'test']);
    expect(JSON.parse(cancelled.stdout).status).toBe('CANCELLED');
    const again = await cli(['request', 'cancel', req.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: INVALID_TRANSITION: /m);
    const api = await cli([
      'api',
      'query($id: ID!) { request(id: $id) { status } }',
      '--var',
      `id=${req.id}`,
    ]);
    expect(JSON.parse(api.stdout)).toEqual({ request: { status: 'CANCELLED' } });
    const usage = await cli(['api', '{ nope }']);
    expect(usage.code).toBe(2);
    const list = await cli(['--json', 'request', 'list', '--kind', 'ipam.prefix', '--first', '5']);
    expect(JSON.parse(list.stdout).length).toBeGreaterThan(0);
  });

  it('submits a draft; lists and shows only the institutions the contact sees', async () => {
    const made = await cli([
      '--json',
      'prefix',
      'request',
      '--institution',
      instA,
      '--family',
      '6',
      '--length',
      '48',
      '--purpose',
      'cli submit',
      '--draft',
    ]);
    const draft = JSON.parse(made.stdout);
    const submitted = await cli(['--json', 'request', 'submit', draft.id]);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ id: draft.id });
    expect(JSON.parse(submitted.stdout).status).not.toBe('DRAFT');
    const twice = await cli(['request', 'submit', draft.id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^error: INVALID_TRANSITION: /m);
    const notReturned = await cli(['request', 'resubmit', draft.id, '--revision', 'x']);
    expect(notReturned.code).toBe(2);

    // A contact sees its own institution only, with its sites and contacts.
    const list = await cli(['--json', 'institution', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((i: { id: string }) => i.id)).toEqual([instA]);
    const shown = await cli(['--json', 'institution', 'show', instA]);
    const inst = JSON.parse(shown.stdout);
    expect(inst).toMatchObject({ id: instA, shortName: DEMO_INSTITUTIONS[0]!.shortName });
    expect(inst.sites.length).toBeGreaterThan(0);
    expect(inst.contacts.length).toBeGreaterThan(0);
    const table = await cli(['institution', 'show', instA]);
    expect(table.stdout).toContain(DEMO_INSTITUTIONS[0]!.shortName);
    const other = await cli(['institution', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: NOT_FOUND: /m);
  });

  it('applies 200 rows, killed halfway, re-applied: exactly 200 requests, none twice', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${instA},6,48,bulk ${i}`);
    const csv = file('bulk.csv', `institution,family,length,purpose\n${rows.join('\n')}\n`);
    const first = start(['apply', '-f', csv, '--batch-size', '10']);
    for (let i = 0; i < 600 && (await count('bulk %')) < 60; i++) await new Promise((r) => setTimeout(r, 25));
    first.child.kill('SIGKILL');
    await first.done;
    const cut = await count('bulk %');
    expect(cut).toBeGreaterThanOrEqual(60);
    expect(cut).toBeLessThan(200);
    const second = await cli(['--json', 'apply', '-f', csv, '--batch-size', '50']);
    expect(second.code, second.stderr).toBe(0);
    const out = JSON.parse(second.stdout);
    expect(out.created + out.unchanged).toBe(200);
    expect(out.unchanged).toBeGreaterThanOrEqual(cut - 10);
    expect(await count('bulk %')).toBe(200);
    const distinct = await database.query<{ n: number }>(
      "SELECT count(DISTINCT payload->>'purpose')::int AS n FROM workflow_requests WHERE payload->>'purpose' LIKE 'bulk %'",
    );
    expect(distinct[0]?.n).toBe(200);
    // A third run files nothing.
    const third = JSON.parse((await cli(['--json', 'apply', '-f', csv, '--batch-size', '200'])).stdout);
    expect(third).toMatchObject({ created: 0, unchanged: 200, failed: 0 });
  }, 120_000);

  it('stops after the batch in flight on Ctrl-C (SIGINT), and the re-run completes the rest', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${instA},6,48,sigint ${i}`);
    const csv = file('sigint.csv', `institution,family,length,purpose\n${rows.join('\n')}\n`);
    const as = { GUICHET_URL: url, GUICHET_TOKEN: techA };
    const run = start(['--json', 'apply', '-f', csv, '--batch-size', '10'], as);
    for (let i = 0; i < 600 && (await count('sigint %')) < 20; i++)
      await new Promise((r) => setTimeout(r, 25));
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/interrupted: \d+ rows not sent/);
    const out = JSON.parse(stopped.stdout);
    // Whole batches only: what was answered is what was filed.
    expect(out.created % 10).toBe(0);
    expect(out.created + out.skipped).toBe(100);
    expect(await count('sigint %')).toBe(out.created);
    const rest = JSON.parse((await cli(['--json', 'apply', '-f', csv], as)).stdout);
    expect(rest).toMatchObject({ created: out.skipped, unchanged: out.created, failed: 0 });
    expect(await count('sigint %')).toBe(100);
  }, 60_000);

  it('writes nothing with --dry-run', async () => {
    const yaml = file(
      'dry.yaml',
      `- { institution: ${instA}, family: 6, length: 48, purpose: dry 1 }\n- { institution: ${instA}, family: 6, length: 48, purpose: dry 2 }\n`,
    );
    const dry = await cli(['--json', 'apply', '-f', yaml, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, valid: 2, created: 0 });
    expect(await count('dry %')).toBe(0);
    const table = await cli(['apply', '-f', yaml, '--dry-run']);
    expect(table.stdout).toMatch(/^ROW\s+KIND\s+STATUS/m);
    expect(table.stdout).toContain('0 created, 0 unchanged, 2 valid (dry run), 0 failed, 0 skipped');
  });

  it('reports a bad row with its typed error on stderr and exits 1; the good rows are filed', async () => {
    const json = file(
      'bad.json',
      JSON.stringify([
        { institution: instA, family: 6, length: 48, purpose: 'mixed good', key: 'mixed-1' },
        { institution: instA, family: 6, length: 129, purpose: 'mixed bad', key: 'mixed-2' },
        { institution: instA, family: 5, length: 48, purpose: 'mixed family', key: 'mixed-3' },
      ]),
    );
    const run = await cli(['--json', 'apply', '-f', json]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ created: 1, failed: 2 });
    expect(out.results[1]).toMatchObject({ row: 2, status: 'failed', code: 'VALIDATION' });
    expect(run.stderr).toMatch(/error: row 2: VALIDATION: .*input\.items\.1\.input\.length/);
    expect(run.stderr).toMatch(/error: row 3: VALIDATION: family/);
    expect(await count('mixed %')).toBe(1);
    const missing = await cli(['apply', '-f', join(dir, 'none.yaml')]);
    expect(missing.code).toBe(2);
    const down = await cli(['whoami'], { GUICHET_URL: 'http://127.0.0.1:9', GUICHET_TOKEN: techA });
    expect(down.code).toBe(4);
  });
});
