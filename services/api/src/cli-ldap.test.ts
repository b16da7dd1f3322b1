import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@guichet/db';
import { freshDatabase, ldapEnv, type Slapd, startSlapd } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl, startCli } from './cli-harness.js';
import { testApp } from './test-app.js';

/**
 * Peers tier: `guichet login --ldap` against the real api and a real slapd — the session token
 * is stored (0600), never the password; a wrong password is exit 3 with the server's code; a
 * lapsed session is said plainly before any call.
 */

type App = Awaited<ReturnType<typeof testApp>>;

describe('guichet login --ldap against a real slapd', { timeout: 120_000 }, () => {
  let slapd: Slapd | undefined;
  let database: Database;
  let t: App;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-cli-ldap-'));
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), GUICHET_URL: '', GUICHET_TOKEN: '' };
  const config = join(dir, 'config/guichet/config.json');
  const cli = (args: string[], input?: string, extra: Record<string, string> = {}) =>
    startCli(args, { ...env, ...extra }, input).done;

  beforeAll(async () => {
    slapd = await startSlapd({
      users: [{ uid: 'jdupont', password: 'Jd-s3cret', cn: 'Jeanne Dupont' }],
      groups: [{ cn: 'noc', members: ['jdupont'] }],
    });
    database = await freshDatabase();
    t = await testApp(database, ldapEnv(slapd));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = listeningUrl(t.app.server);
  });
  afterAll(async () => {
    try {
      await t?.close();
      await database?.close();
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await slapd?.stop();
    }
  });

  it('logs a staff member in with the directory password read from stdin; stores the session, not the password', async () => {
    const wrong = await cli(
      ['login', '--url', url, '--ldap', '--username', 'jdupont', '--password-stdin'],
      'nope\n',
    );
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toMatch(/^error: UNAUTHENTICATED: /m);

    const ok = await cli(
      ['--json', 'login', '--url', url, '--ldap', '--username', 'jdupont', '--password-stdin'],
      'Jd-s3cret\n',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      server: url,
      viewer: { kind: 'STAFF', staffRoles: ['NOC'] },
    });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const stored = readFileSync(config, 'utf8');
    expect(stored).not.toContain('Jd-s3cret');
    expect(JSON.parse(stored).servers[url]).toMatchObject({
      username: 'jdupont',
      expiresAt: expect.any(String),
    });

    const who = await cli(['--json', 'whoami']);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ kind: 'STAFF', name: 'Jeanne Dupont' });
    // GUICHET_PASSWORD is the other way in (CI); a missing username or both ways at once are usage.
    const viaEnv = await cli(['login', '--url', url, '--ldap', '--username', 'jdupont'], undefined, {
      GUICHET_PASSWORD: 'Jd-s3cret',
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect((await cli(['login', '--url', url, '--ldap'])).code).toBe(2);
    expect((await cli(['login', '--url', url, '--ldap', '--token', 'x', '--username', 'u'])).code).toBe(2);
  });

  it('says a lapsed session ended, with the command to log in again (exit 3)', async () => {
    const file = JSON.parse(readFileSync(config, 'utf8'));
    file.servers[url].expiresAt = '2020-01-01T00:00:00.000Z';
    writeFileSync(config, JSON.stringify(file), { mode: 0o600 });
    const who = await cli(['whoami']);
    expect(who.code).toBe(3);
    expect(who.stderr).toContain(
      `the session of jdupont ended at 2020-01-01T00:00:00.000Z: run \`guichet login --url ${url} --ldap --username jdupont\``,
    );
  });

  it('reports a directory that does not answer as unavailable (exit 4), not as a wrong password', async () => {
    await slapd?.stop();
    slapd = undefined;
    const down = await cli(
      ['login', '--url', url, '--ldap', '--username', 'jdupont', '--password-stdin'],
      'Jd-s3cret',
    );
    expect(down.code, down.stderr).toBe(4);
    expect(down.stderr).toMatch(/^error: UNAVAILABLE: /m);
  });
});
