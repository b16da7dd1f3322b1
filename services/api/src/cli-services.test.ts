import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, listContacts, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl, startCli } from './cli-harness.js';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * The `guichet` commands of the domains, eduroam, antispam and circuits lines, spawned against
 * the real api on a port: each filing lands as the request (or site) it names, each list shows
 * what the database holds, and the antispam directory password is read from stdin, never from
 * the command line, and never printed.
 */

type App = Awaited<ReturnType<typeof testApp>>;

describe(`guichet CLI: domains, eduroam, antispam, circuits on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, {
  timeout: 120_000,
}, () => {
  let database: Database;
  let t: App;
  let inst: string;
  let who: Record<string, string>;
  let nocToken = '';
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-services-'));
  const base = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
  const cli = (args: string[], input?: string) => startCli(args, { ...base, ...who }, input).done;
  const json = async (args: string[], input?: string) => {
    const run = await cli(['--json', ...args], input);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return JSON.parse(run.stdout);
  };

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    inst = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    who = { GUICHET_URL: listeningUrl(t.app.server), GUICHET_TOKEN: await contactToken(database, inst) };
    nocToken = (await staffWithToken(database, 'noc-cli-services', ['noc'])).token;
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const requestOf = async (id: string) =>
    (await t.gql('query($id: ID!) { request(id: $id) { kind status payload } }', { id }, nocToken)).body.data
      .request;

  it('every new command has --help with an example', async () => {
    for (const c of [
      ['domain', 'list'],
      ['domain', 'request'],
      ['eduroam', 'site', 'list'],
      ['eduroam', 'site', 'declare'],
      ['antispam', 'list'],
      ['antispam', 'onboard'],
      ['circuit', 'list'],
    ]) {
      const help = await cli([...c, '--help']);
      expect(help.code, c.join(' ')).toBe(0);
      expect(help.stdout, c.join(' ')).toMatch(new RegExp(`Example:\\n  guichet ${c.join(' ')} `));
    }
  });

  it('declares an eduroam site and lists it (table and --json)', async () => {
    const made = await json([
      'eduroam',
      'site',
      'declare',
      '--institution',
      inst,
      '--name',
      'Campus CLI',
      '--street',
      '2 rue B',
      '--city',
      'Lyon',
      '--lon',
      '4.85',
      '--lat',
      '45.75',
      '--access-points',
      '7',
      '--encryption',
      'WPA3/AES',
    ]);
    expect(made).toMatchObject({
      accessPoints: 7,
      encryption: ['WPA3_AES'],
      names: [{ data: 'Campus CLI' }],
    });
    const listed = await json(['eduroam', 'site', 'list', '--institution', inst]);
    expect(listed.map((s: { id: string }) => s.id)).toContain(made.id);
    const table = await cli(['eduroam', 'site', 'list', '--institution', inst]);
    expect(table.stdout).toMatch(new RegExp(`^${made.id}\\s+\\S+\\s+Campus CLI\\s+Lyon\\s+7$`, 'm'));
    // A bad value is the server's typed error, exit 1, nothing written.
    const bad = await cli([
      'eduroam',
      'site',
      'declare',
      '--institution',
      inst,
      '--name',
      'Nowhere',
      '--street',
      'x',
      '--city',
      'x',
      '--lon',
      '200',
      '--lat',
      '45',
      '--access-points',
      '1',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: (VALIDATION|POLICY_REFUSAL): /m);
    expect(JSON.stringify(await json(['eduroam', 'site', 'list', '--institution', inst]))).not.toContain(
      'Nowhere',
    );
  });

  it('requests a domain and lists the institution’s domains', async () => {
    const admin = String((await listContacts(database.db, inst, 'administrative'))[0]?.id);
    const tech = String((await listContacts(database.db, inst, 'technical'))[0]?.id);
    const filed = await cli([
      '--json',
      'domain',
      'request',
      '--institution',
      inst,
      '--name',
      'labo-cli-example.fr',
      '--admin-contact',
      admin,
      '--tech-contact',
      tech,
      '--ns',
      'ns1.univ-example.fr',
      '--ns',
      'ns2.univ-example.fr',
      '--draft',
    ]);
    expect(filed.code, filed.stderr).toBe(0);
    const req = JSON.parse(filed.stdout);
    expect(req).toMatchObject({ status: 'DRAFT' });
    const stored = await requestOf(req.id);
    expect(stored.kind).toMatch(/^domains\./);
    expect(JSON.stringify(stored.payload)).toContain('ns2.univ-example.fr');
    expect(Array.isArray(await json(['domain', 'list', '--institution', inst]))).toBe(true);
  });

  it('files an antispam onboarding with the bind password from stdin (not in argv, not printed)', async () => {
    const secret = 'S3cret-bind-pw';
    const args = [
      'antispam',
      'onboard',
      '--institution',
      inst,
      '--domain',
      'univ-example.fr',
      '--next-hop',
      'mx.univ-example.fr:25',
      '--known-address',
      'jdupont@univ-example.fr',
      '--unknown-address',
      'nobody-here@univ-example.fr',
      '--ldap-url',
      'ldaps://ldap.univ-example.fr',
      '--bind-dn',
      'cn=gw,dc=univ-example,dc=fr',
      '--base',
      'ou=people,dc=univ-example,dc=fr',
      '--filter',
      '(mail=%s)',
      '--draft',
      '--password-stdin',
    ];
    const run = await cli(['--json', ...args], `${secret}\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(secret);
    const req = JSON.parse(run.stdout);
    expect(req).toMatchObject({ status: 'DRAFT', kind: expect.stringMatching(/^antispam\./) });
    // Without stdin, a terminal or GUICHET_PASSWORD there is nothing to read it from: usage.
    expect((await cli(args.filter((a) => a !== '--password-stdin'))).code).toBe(2);
    const listed = await cli(['antispam', 'list', '--institution', inst]);
    expect(listed.code, listed.stderr).toBe(0);
  });

  it('lists circuits (none yet: the table says so)', async () => {
    expect(await json(['circuit', 'list', '--institution', inst])).toEqual([]);
    expect((await cli(['circuit', 'list', '--institution', inst])).stdout).toBe('(none)\n');
    const missing = await cli(['circuit', 'list', '--institution', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
  });
});
