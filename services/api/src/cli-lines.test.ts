import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { reverseZones } from '@guichet/net';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl, startCli } from './cli-harness.js';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * The `guichet` command's token, ticket, prefix-return, routing and rdns commands, spawned
 * against the real api listening on a port: what each prints (tables, `--json`, `--fields`),
 * its exit code, and what the database holds afterwards.
 */

type App = Awaited<ReturnType<typeof testApp>>;

// Each case spawns the command a dozen times (about a second each on a loaded machine).
describe(`guichet CLI: tokens, tickets, routing, rdns on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, {
  timeout: 120_000,
}, () => {
  let database: Database;
  let t: App;
  let instA: string;
  let as: { contact: Record<string, string>; noc: Record<string, string> };
  const prefixes = { a48: '', a48b: '', a48bId: '', collector: '' };
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-lines-'));
  const base = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
  const cli = (args: string[], who: Record<string, string>) => startCli(args, { ...base, ...who }).done;
  const json = async (args: string[], who: Record<string, string>) => {
    const run = await cli(['--json', ...args], who);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return JSON.parse(run.stdout);
  };

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    // With the api's jobs: external steps (a routing deploy, a DNS check) run as in production;
    // the assertions below hold whatever state those steps reach.
    t = await testApp(database, {}, { jobs: true });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = listeningUrl(t.app.server);
    const noc = await staffWithToken(database, 'noc-cli-lines', ['noc']);
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    as = {
      contact: { GUICHET_URL: url, GUICHET_TOKEN: await contactToken(database, instA) },
      noc: { GUICHET_URL: url, GUICHET_TOKEN: noc.token },
    };
    const nocCtx: RequestContext = {
      ...systemContext('test'),
      actor: {
        kind: 'staff',
        id: noc.staff.id,
        username: 'noc-cli-lines',
        displayName: 'NOC',
        roles: ['noc'],
        credential: { method: 'session', scope: 'write' },
      },
    };
    const pool = await createPool(database.db, nocCtx, {
      name: 'v6',
      prefix: '2001:660::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['TEST-MNT'],
      country: 'FR',
    });
    const give = () =>
      allocatePrefix(database.db, nocCtx, {
        poolId: pool.id,
        length: 48,
        institutionId: instA,
        purpose: 'campus',
        justification: 'campus network',
      });
    prefixes.a48 = (await give()).prefix;
    const b = await give();
    prefixes.a48b = b.prefix;
    prefixes.a48bId = b.id;
    const made = await t.gql(
      `mutation($input: CreateCollectorInput!) { r: createCollector(input: $input) { __typename ... on CreateCollectorPayload { collector { id } } } }`,
      { input: { name: 'west', asn: 65001, routerId: '10.255.0.1', region: 'west' } },
      noc.token,
    );
    prefixes.collector = made.body.data.r.collector.id;
    const session = await t.gql(
      `mutation($input: CreateRoutingSessionInput!) { r: createSession(input: $input) { __typename } }`,
      {
        input: {
          collectorId: prefixes.collector,
          name: 'edge',
          peerAddress: '10.1.0.2',
          localAddress: '10.1.0.1',
          peerAsn: 64601,
          importLimit: 10,
        },
      },
      noc.token,
    );
    expect(session.body.data.r.__typename).toBe('CreateSessionPayload');
    const parent = await t.gql(
      `mutation($input: CreateParentZoneInput!) { r: createParentZone(input: $input) { __typename } }`,
      {
        input: {
          prefix: '2001:660::/32',
          serverAddress: '127.0.0.1',
          serverPort: 53,
          mname: 'ns.nren.example',
          rname: 'hostmaster.nren.example',
          nameservers: ['ns.nren.example', 'ns2.nren.example'],
        },
      },
      noc.token,
    );
    expect(parent.body.data.r.__typename, JSON.stringify(parent.body)).toBe('CreateParentZonePayload');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a token whose secret is printed once, lists it without it, revokes it (then exit 3)', async () => {
    const made = await cli(['token', 'create', '--name', 'ci nightly', '--scope', 'read'], as.contact);
    expect(made.code, made.stderr).toBe(0);
    const secret = made.stdout.trim();
    // stdout is the secret alone, so `TOKEN=$(guichet token create …)` captures just it.
    expect(secret).toMatch(/^\S+$/);
    expect(made.stderr).toMatch(/shown this once/);
    const who = await json(['whoami'], { ...as.contact, GUICHET_TOKEN: secret });
    expect(who).toMatchObject({ kind: 'CONTACT', scope: 'READ' });
    // Read-only: a mutation is refused.
    const refused = await cli(['token', 'create', '--name', 'x'], { ...as.contact, GUICHET_TOKEN: secret });
    expect(refused.code).toBe(1);

    const list = await json(['token', 'list'], as.contact);
    const mine = list.find((x: { name: string }) => x.name === 'ci nightly');
    expect(mine).toMatchObject({ scope: 'READ', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(secret);
    const cut = await json(['--fields', 'id,name', 'token', 'list'], as.contact);
    expect(Object.keys(cut[0]).sort()).toEqual(['id', 'name']);
    const table = await cli(['token', 'list'], as.contact);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+KIND\s+SCOPE/m);
    expect(table.stdout).not.toContain(secret);

    const revoked = await json(['token', 'revoke', mine.id], as.contact);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await cli(['whoami'], { ...as.contact, GUICHET_TOKEN: secret })).code).toBe(3);
    expect((await json(['token', 'list'], as.contact)).some((x: { id: string }) => x.id === mine.id)).toBe(
      false,
    );
    expect(
      (await json(['token', 'list', '--all'], as.contact)).some((x: { id: string }) => x.id === mine.id),
    ).toBe(true);
    const badScope = await cli(['token', 'create', '--name', 'x', '--scope', 'admin'], as.contact);
    expect(badScope.code).toBe(2);
    const badField = await cli(['--json', '--fields', 'secret', 'token', 'list'], as.contact);
    expect(badField.code).toBe(2);
    expect(badField.stderr).toMatch(/no field secret; available: id, name/);
  });

  it('the NOC lists, takes, comments and approves the ticket of a prefix request; the contact sees only the visible comment', async () => {
    const req = await json(
      [
        'prefix',
        'request',
        '--institution',
        instA,
        '--family',
        '6',
        '--length',
        '48',
        '--purpose',
        'cli ticket',
      ],
      as.contact,
    );
    const tickets = await json(
      [
        '--fields',
        'id,requestId,state,sla.responseDueAt',
        'ticket',
        'list',
        '--queue',
        'ipam',
        '--state',
        'new',
      ],
      as.noc,
    );
    const ticket = tickets.find((x: { requestId: string }) => x.requestId === req.id);
    expect(ticket, JSON.stringify(tickets)).toMatchObject({ state: 'NEW' });
    expect(ticket['sla.responseDueAt']).toBeTruthy();
    const table = await cli(['ticket', 'list', '--queue', 'ipam'], as.noc);
    expect(table.stdout).toMatch(/^ID\s+QUEUE\s+STATE\s+KIND\s+INSTITUTIONNAME\s+OWNERID\s+DUE/m);

    const taken = await json(['ticket', 'take', ticket.id], as.noc);
    expect(taken).toMatchObject({ id: ticket.id, state: 'OPEN' });
    expect(taken.ownerId).toBeTruthy();
    await json(['ticket', 'comment', ticket.id, '--body', 'checking the pool'], as.noc);
    await json(['ticket', 'comment', ticket.id, '--body', 'space is available', '--visible'], as.noc);
    const shown = await json(['ticket', 'show', ticket.id], as.noc);
    expect(shown.comments.map((c: { visibility: string }) => c.visibility).sort()).toEqual([
      'INSTITUTION',
      'INTERNAL',
    ]);
    const seen = await json(['ticket', 'show', ticket.id], as.contact);
    expect(seen.comments.map((c: { body: string }) => c.body)).toEqual(['space is available']);
    // A contact cannot take tickets: a refusal, exit 1 (not a crash).
    expect((await cli(['ticket', 'take', ticket.id], as.contact)).code).toBe(1);

    const approved = await json(['ticket', 'approve', ticket.id], as.noc);
    expect(approved.id).toBe(req.id);
    const after = await json(['request', 'show', req.id], as.contact);
    expect(after.steps.find((s: { name: string }) => s.name === 'noc')?.state).not.toBe('WAITING');
    const missing = await cli(['ticket', 'show', '00000000-0000-4000-8000-000000000000'], as.noc);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: NOT_FOUND: /m);
  });

  it('files a routing change and shows it; a prefix not the institution’s is a typed refusal, exit 1', async () => {
    const change = await json(
      [
        'routing',
        'change',
        '--institution',
        instA,
        '--collector',
        prefixes.collector,
        '--prefix',
        prefixes.a48,
      ],
      as.contact,
    );
    expect(change).toMatchObject({ kind: 'routing.change' });
    expect(change.status).not.toBe('REJECTED');
    const shown = await json(['routing', 'show', '--institution', instA], as.contact);
    expect(shown.collector).toMatchObject({ id: prefixes.collector, name: 'west' });
    expect(shown.announcements.map((a: { prefix: string }) => a.prefix)).toEqual([prefixes.a48]);
    const table = await cli(['routing', 'show', '--institution', instA], as.contact);
    expect(table.stdout).toContain(prefixes.a48);
    const before = await database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflow_requests WHERE kind = 'routing.change'",
    );
    const foreign = await cli(
      ['routing', 'change', '--institution', instA, '--prefix', '2001:db8:dead::/48'],
      as.contact,
    );
    expect(foreign.code, foreign.stdout).toBe(1);
    expect(foreign.stderr).toMatch(/^error: [A-Z_]+: /m);
    const afterCount = await database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflow_requests WHERE kind = 'routing.change'",
    );
    expect(afterCount[0]?.n).toBe(before[0]?.n);
    expect(
      (
        await cli(
          ['routing', 'change', '--institution', instA, '--prefix', prefixes.a48, '--origin-as', 'x'],
          as.contact,
        )
      ).code,
    ).toBe(2);
    // Moving collector without the list would withdraw every announcement: refused as usage.
    const forgot = await cli(
      ['routing', 'change', '--institution', instA, '--collector', prefixes.collector],
      as.contact,
    );
    expect(forgot.code).toBe(2);
    expect(forgot.stderr).toMatch(/--withdraw-all/);
    const still = await database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM workflow_requests WHERE kind = 'routing.change'",
    );
    expect(still[0]?.n).toBe(before[0]?.n);
  });

  it('asks for a reverse delegation, lists the zones with it; a bad DS is a usage error', async () => {
    const zone = String(reverseZones(prefixes.a48)[0]?.zone);
    const filed = await json(
      [
        'rdns',
        'delegate',
        '--institution',
        instA,
        '--zone',
        zone,
        '--ns',
        'ns1.univ-a.fr',
        '--ns',
        'ns2.univ-a.fr',
      ],
      as.contact,
    );
    expect(filed).toMatchObject({ kind: 'rdns.delegation' });
    const zones = await json(['rdns', 'list', '--institution', instA], as.contact);
    const mine = zones.find((z: { zone: string }) => z.zone === zone);
    expect(mine, JSON.stringify(zones)).toBeTruthy();
    const table = await cli(['rdns', 'list', '--institution', instA], as.contact);
    expect(table.stdout).toMatch(/^ZONE\s+PREFIX\s+KIND\s+DELEGATION\s+STATE/m);
    expect(table.stdout).toContain(zone);
    const badDs = await cli(
      ['rdns', 'delegate', '--institution', instA, '--zone', zone, '--ns', 'a.fr', '--ds', '1 2 3'],
      as.contact,
    );
    expect(badDs.code).toBe(2);
    const notFound = await cli(['rdns', 'show', '00000000-0000-4000-8000-000000000000'], as.contact);
    expect(notFound.code).toBe(1);
  });

  it('applies one YAML file of three kinds (prefix, routing, rdns); the re-apply files nothing', async () => {
    const zone = String(reverseZones(prefixes.a48b)[0]?.zone);
    const yaml = join(dir, 'mixed.yaml');
    writeFileSync(
      yaml,
      [
        `- { institution: ${instA}, family: 6, length: 48, purpose: mixed kinds }`,
        '---',
        'kind: routing',
        'items:',
        `  - { institution: ${instA}, collector: ${prefixes.collector}, prefixes: ["${prefixes.a48}", "${prefixes.a48b}"] }`,
        '---',
        `{ kind: rdns, institution: ${instA}, zone: ${zone}, nameservers: [ns1.univ-a.fr, ns2.univ-a.fr] }`,
        '',
      ].join('\n'),
    );
    const kinds = async () =>
      (
        await database.query<{ kind: string; n: number }>(
          `SELECT kind, count(*)::int AS n FROM workflow_requests WHERE kind IN ('ipam.prefix', 'routing.change', 'rdns.delegation') GROUP BY kind ORDER BY kind`,
        )
      ).map((r) => `${r.kind}=${r.n}`);
    const before = await kinds();
    const dry = await json(['apply', '-f', yaml, '--dry-run'], as.contact);
    expect(dry).toMatchObject({ valid: 3, failed: 0 });
    expect(await kinds()).toEqual(before);

    const first = await json(['apply', '-f', yaml], as.contact);
    expect(first, JSON.stringify(first.results)).toMatchObject({ created: 3, failed: 0 });
    expect(first.results.map((r: { kind: string }) => r.kind)).toEqual(['prefix', 'routing', 'rdns']);
    const after = await kinds();
    expect(after).not.toEqual(before);
    const again = await cli(['apply', '-f', yaml], as.contact);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ROW\s+KIND\s+STATUS\s+REQUEST\s+KEY$/m);
    expect(again.stdout).toContain('0 created, 3 unchanged');
    // The terminal output as a user reads it (ids and content hashes masked).
    const masked = again.stdout
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/(apply:(?:\w+:)?)[0-9a-f]{32}/g, '$1<hash>');
    expect(masked).toMatchInlineSnapshot(`
      "ROW  KIND     STATUS     REQUEST                               KEY
      1    prefix   unchanged  <uuid>  apply:<hash>
      2    routing  unchanged  <uuid>  apply:routing:<hash>
      3    rdns     unchanged  <uuid>  apply:rdns:<hash>
      0 created, 3 unchanged, 0 valid (dry run), 0 failed, 0 skipped
      "
    `);
    expect(await kinds()).toEqual(after);

    const bad = join(dir, 'bad-kind.yaml');
    writeFileSync(bad, `- { kind: circuit, institution: ${instA} }\n`);
    const refused = await cli(['apply', '-f', bad], as.contact);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: row 1: VALIDATION: kind: "circuit" is not one of prefix, routing, rdns/,
    );
  });

  it('returns a prefix: a request of kind ipam.return; another institution’s assignment is not found', async () => {
    const back = await json(['prefix', 'return', prefixes.a48bId, '--reason', 'site closed'], as.contact);
    expect(back).toMatchObject({ kind: 'ipam.return' });
    const other = await cli(
      ['prefix', 'return', '00000000-0000-4000-8000-000000000000', '--reason', 'x'],
      as.contact,
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: NOT_FOUND: /m);
    const usage = await cli(['prefix', 'return', prefixes.a48bId], as.contact);
    expect(usage.code).toBe(2);
  });
});
