import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createPool } from '@guichet/ipam';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, listeningUrl, startCli } from './cli-harness.js';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * The bulk mutations that are not filings — `actOnTickets` and `declareEduroamSites` — through
 * the `guichet` command against the real api on a port (`apply -f` of ticket and eduroam-site
 * rows, `ticket take|approve ID…`), and directly where the command cannot reach (the list limit,
 * a key reused with another input). What the database holds afterwards is read back.
 */

type App = Awaited<ReturnType<typeof testApp>>;
const SITE = (name: string, extra = '') =>
  `  - { kind: eduroam-site, institution: $INST, name: "${name}", street: "1 rue des Sites", city: Lyon, lon: 4.83, lat: 45.76, accessPoints: 3, tags: [IPV6]${extra} }\n`;
const MISSING = '00000000-0000-4000-8000-000000000000';

describe(`guichet bulk: ticket actions and eduroam sites on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, {
  timeout: 120_000,
}, () => {
  let database: Database;
  let t: App;
  let instA: string;
  let as: { contact: Record<string, string>; contactB: Record<string, string>; noc: Record<string, string> };
  let nocToken = '';
  let nocId = '';
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-bulk-'));
  const base = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
  const cli = (args: string[], who: Record<string, string>) => startCli(args, { ...base, ...who }).done;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text.replaceAll('$INST', instA));
    return path;
  };
  const siteNames = async () => {
    const r = await t.gql(
      'query($id: ID!) { institution(id: $id) { eduroam { sites { names { data } } } } }',
      { id: instA },
      nocToken,
    );
    return (r.body.data.institution.eduroam.sites as { names: { data: string }[] }[])
      .map((s) => s.names[0]?.data)
      .sort();
  };

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {}, { jobs: true });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = listeningUrl(t.app.server);
    const noc = await staffWithToken(database, 'noc-cli-bulk', ['noc']);
    nocToken = noc.token;
    nocId = noc.staff.id;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    const instB = await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName);
    as = {
      contact: { GUICHET_URL: url, GUICHET_TOKEN: await contactToken(database, instA) },
      contactB: { GUICHET_URL: url, GUICHET_TOKEN: await contactToken(database, instB) },
      noc: { GUICHET_URL: url, GUICHET_TOKEN: noc.token },
    };
    const nocCtx: RequestContext = {
      ...systemContext('test'),
      actor: {
        kind: 'staff',
        id: noc.staff.id,
        username: 'noc-cli-bulk',
        displayName: 'NOC',
        roles: ['noc'],
        credential: { method: 'session', scope: 'write' },
      },
    };
    await createPool(database.db, nocCtx, {
      name: 'v6',
      prefix: '2001:660::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
      country: 'FR',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares eduroam sites from a file: good rows written, a bad one typed (exit 1), a re-run replays, a dry run writes nothing', async () => {
    const before = await siteNames();
    const sites = file(
      'sites.yaml',
      `${SITE('Campus Nord')}${SITE('Campus Sud', ', wiredPorts: 4')}${SITE('Old lab', ', encryption: [WPA2_TKIP]')}`,
    );
    const first = await cli(['--json', 'apply', '-f', sites], as.contact);
    expect(first.code, first.stderr).toBe(1);
    const out = JSON.parse(first.stdout);
    expect(out).toMatchObject({ created: 2, failed: 1 });
    expect(out.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created', 'failed']);
    expect(out.results[2]).toMatchObject({ code: 'POLICY_REFUSAL' });
    expect(out.results[0].objectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.stderr).toMatch(/row 3: POLICY_REFUSAL/);
    expect(await siteNames()).toEqual([...before, 'Campus Nord', 'Campus Sud'].sort());

    const again = JSON.parse((await cli(['--json', 'apply', '-f', sites], as.contact)).stdout);
    expect(again).toMatchObject({ created: 0, unchanged: 2, failed: 1 });
    expect(again.results[0].objectId).toBe(out.results[0].objectId);
    expect(await siteNames()).toEqual([...before, 'Campus Nord', 'Campus Sud'].sort());

    const more = file('more.yaml', SITE('Annexe'));
    const dry = await cli(['--json', 'apply', '-f', more, '--dry-run'], as.contact);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, valid: 1, created: 0 });
    expect(await siteNames()).not.toContain('Annexe');

    // Another institution's contact: each item is refused as the single mutation is (not found).
    const other = await cli(['--json', 'apply', '-f', more], as.contactB);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).results[0]).toMatchObject({ status: 'failed', code: 'NOT_FOUND' });
    expect(await siteNames()).not.toContain('Annexe');
  });

  it('draws a progress bar on a terminal (a pseudo-terminal from script(1)), none when piped or with --json', async () => {
    const f = file('bar.yaml', `${SITE('Bar 1')}${SITE('Bar 2')}${SITE('Bar 3')}`);
    const args = ['apply', '-f', f, '--dry-run', '--batch-size', '1'];
    const tty = (extra: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          'script',
          ['-qec', [process.execPath, CLI_BIN, ...extra, ...args].join(' '), '/dev/null'],
          { env: { ...base, ...as.contact } },
          (e, stdout) => (e ? reject(e) : resolve(stdout)),
        ),
      );
    const onTerminal = await tty([]);
    expect(onTerminal).toContain(`[${'#'.repeat(10)}${'·'.repeat(20)}] 1/3 rows 33%`);
    expect(onTerminal).toContain(`[${'#'.repeat(30)}] 3/3 rows 100%`);
    expect(onTerminal).toMatch(/0 created, 0 unchanged, 3 valid/);
    expect(await tty(['--json'])).not.toContain('rows 100%');
    const piped = await cli(args, as.contact);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout + piped.stderr).not.toMatch(/\r|rows \d+%/);
  });

  it('refuses more items than the schema states, and a key reused with another input', async () => {
    const item = (name: string) => ({
      idempotencyKey: 'reused',
      input: {
        institutionId: instA,
        site: {
          name: [{ lang: 'en', data: name }],
          street: [{ lang: 'en', data: 'x' }],
          city: [{ lang: 'en', data: 'Lyon' }],
          coordinates: { lon: 4.8, lat: 45.7 },
          encryption: ['WPA2_AES'],
          accessPoints: 1,
        },
      },
    });
    const send = (items: unknown[]) =>
      t.gql(
        `mutation($input: DeclareEduroamSitesInput!) { r: declareEduroamSites(input: $input) { __typename ... on Error { code message }
          ... on DeclareEduroamSitesPayload { succeeded failed results { __typename ... on Error { code } } } } }`,
        { input: { items } },
        nocToken,
      );
    const tooMany = await send(Array.from({ length: 501 }, () => item('x')));
    expect(tooMany.body.data.r).toMatchObject({ __typename: 'ValidationError', message: /at most 500/ });
    // NOC may not declare (the desk or a technical contact does): a typed item, not a failed call.
    const noc = await send([item('By NOC')]);
    expect(noc.body.data.r.results[0]).toMatchObject({ __typename: 'ForbiddenError' });
    const contact = (items: unknown[]) =>
      t.gql(
        `mutation($input: DeclareEduroamSitesInput!) { r: declareEduroamSites(input: $input) {
          ... on DeclareEduroamSitesPayload { results { __typename ... on Error { code } } } } }`,
        { input: { items } },
        as.contact.GUICHET_TOKEN,
      );
    expect((await contact([item('Keyed')])).body.data.r.results[0].__typename).toBe(
      'DeclareEduroamSitesDone',
    );
    expect((await contact([item('Keyed, changed')])).body.data.r.results[0]).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect((await siteNames()).filter((n) => n?.startsWith('Keyed'))).toEqual(['Keyed']);
  });

  it('acts on many tickets: take and approve several ids, apply a file of actions, re-run replays', async () => {
    const filed = await t.gql(
      `mutation($input: RequestPrefixesInput!) { r: requestPrefixes(input: $input) { ... on RequestPrefixesPayload { results { ... on BulkItem { request { id } } } } } }`,
      {
        input: {
          items: [1, 2, 3].map((n) => ({
            input: { institutionId: instA, family: 'IPV6', length: 48, purpose: `bulk ticket ${n}` },
          })),
        },
      },
      as.contact.GUICHET_TOKEN,
    );
    const requestIds: string[] = filed.body.data.r.results.map(
      (r: { request: { id: string } }) => r.request.id,
    );
    const listed = await t.gql(
      'query($i: ID!) { tickets(first: 100, institutionId: $i) { edges { node { id requestId } } } }',
      { i: instA },
      nocToken,
    );
    const byRequest = new Map<string, string>(
      listed.body.data.tickets.edges.map((e: { node: { id: string; requestId: string } }) => [
        e.node.requestId,
        e.node.id,
      ]),
    );
    const ids = requestIds.map((r) => byRequest.get(r));
    expect(ids.every(Boolean), JSON.stringify(listed.body)).toBe(true);
    const [t1, t2, t3] = ids as [string, string, string];

    const taken = await cli(['--json', 'ticket', 'take', t1, t2, MISSING], as.noc);
    expect(taken.code).toBe(1);
    const takenOut = JSON.parse(taken.stdout);
    expect(takenOut.slice(0, 2)).toMatchObject([
      { id: t1, state: 'OPEN', ownerId: nocId },
      { id: t2, state: 'OPEN', ownerId: nocId },
    ]);
    expect(takenOut[2]).toMatchObject({ id: MISSING, error: { code: 'NOT_FOUND' } });
    expect(taken.stderr).toMatch(/1 of 3 tickets failed/);

    // A contact may not take tickets: each item refused, nothing changed.
    const refused = await cli(['ticket', 'take', t3, t1], as.contact);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FORBIDDEN/);

    const actions = file(
      'actions.csv',
      `kind,ticket,action,body,visible,staff\nticket,${t1},comment,looking at the pool,yes,\nticket,${t3},assign,,,${nocId}\nticket,${t2},frobnicate,,,\n`,
    );
    const applied = await cli(['--json', 'apply', '-f', actions], as.noc);
    expect(applied.code).toBe(1);
    const out = JSON.parse(applied.stdout);
    expect(out).toMatchObject({ done: 2, failed: 1 });
    expect(out.results[2]).toMatchObject({ status: 'failed', code: 'VALIDATION' });
    const again = JSON.parse((await cli(['--json', 'apply', '-f', actions], as.noc)).stdout);
    expect(again).toMatchObject({ done: 0, unchanged: 2 });
    const shown = await cli(['--json', 'ticket', 'show', t1], as.noc);
    expect(JSON.parse(shown.stdout).comments.map((c: { body: string }) => c.body)).toEqual([
      'looking at the pool',
    ]);
    const t3now = JSON.parse((await cli(['--json', 'ticket', 'show', t3], as.noc)).stdout);
    expect(t3now).toMatchObject({ ownerId: nocId });

    const approved = await cli(['--json', 'ticket', 'approve', t1, t2], as.noc);
    expect(approved.code, approved.stderr).toBe(0);
    for (const id of requestIds.slice(0, 2)) {
      const req = await t.gql(
        'query($id: ID!) { request(id: $id) { status currentStep } }',
        { id },
        nocToken,
      );
      // Past the NOC's approval (the later steps run as jobs: wherever they are, not there).
      expect(req.body.data.request.currentStep, JSON.stringify(req.body)).not.toBe('approval');
    }
    const table = await cli(['ticket', 'take', t1, MISSING], as.noc);
    expect(table.stdout).toMatch(/^ID\s+QUEUE\s+STATE.*ERROR$/m);
    expect(table.stdout).toMatch(new RegExp(`${MISSING}\\s+-\\s+FAILED.*NOT_FOUND`));
  });
});
