import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { type Slapd, type SmtpSink, startSlapd, startSmtpSink, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageAndSwap } from './deploy.js';
import { type PlatformInstitution, renderMaps } from './render.js';

/**
 * The generated maps in a real Postfix on loopback (a throwaway instance; Postfix needs root),
 * driven with swaks: foreign domain → 554, unknown user → 550 5.1.1, directory down → 451 4.3.0
 * (never a false 550), known user → delivered to the institution's next hop (smtp-server sink).
 */

const root = userInfo().uid === 0;
let slapd: Slapd;
let sink: SmtpSink;
let dir: string;
let port: number;
let etc: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const institution = (id: string, domain: string, url: string): PlatformInstitution => ({
  mapId: id,
  domains: [domain],
  directory: {
    url,
    base: `ou=people,${slapd.suffix}`,
    filter: '(mail=%s)',
    bindDn: slapd.userDn('pbernard'),
    resultAttribute: 'mail',
    startTls: false,
  },
  bindPassword: 'pbernard-pw',
  nextHops: [{ host: '127.0.0.1', port: sink.port }],
});

const swaks = (to: string, quitAfter?: 'RCPT') =>
  runTool(
    'swaks',
    [
      '--server',
      `127.0.0.1:${port}`,
      '--from',
      'sender@antispam-test.example',
      '--to',
      to,
      '--timeout',
      '15',
      ...(quitAfter ? ['--quit-after', quitAfter] : []),
    ],
    { timeoutMs: 30_000 },
  );

beforeAll(async () => {
  if (!root) return;
  slapd = await startSlapd();
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'guichet-antispam-gw-'));
  port = await freePort();
  const dead = `ldap://127.0.0.1:${await freePort()}`;
  const maps = renderMaps([
    institution('00000000-0000-4000-8000-00000000000a', 'renater-example.fr', slapd.url),
    institution('00000000-0000-4000-8000-00000000000b', 'down-example.fr', dead),
  ]);
  const base = join(dir, 'maps');
  expect((await stageAndSwap(base, maps)).status).toBe('deployed');
  etc = join(dir, 'etc');
  for (const d of ['etc', 'spool', 'data']) mkdirSync(join(dir, d));
  const uid = Number((await runTool('id', ['-u', 'postfix'], { timeoutMs: 5000 })).stdout.trim());
  chownSync(join(dir, 'data'), uid, 0);
  // Postfix daemons run as the mail owner: they must traverse the (0700) temporary directory.
  chmodSync(dir, 0o755);
  writeFileSync(
    join(etc, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/spool`,
      `data_directory = ${dir}/data`,
      `maillog_file = ${dir}/maillog`,
      `maillog_file_prefixes = ${dir}`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'myhostname = gateway.antispam-test.example',
      'mydestination =',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      // Loopback is not a trusted network here: the test client is the Internet.
      'mynetworks = 192.0.2.1/32',
      'smtpd_relay_restrictions = reject_unauth_destination',
      'smtp_dns_support_level = disabled',
      'alias_maps =',
      'alias_database =',
      'default_transport = error:outbound delivery disabled in tests',
      readFileSync(join(base, 'current', 'main.cf.antispam'), 'utf8'),
    ].join('\n'),
  );
  const master = (
    await runTool('grep', ['-vE', '^#|^\\s|^$', '/etc/postfix/master.cf'], { timeoutMs: 5000 })
  ).stdout
    .split('\n')
    .filter(Boolean);
  const lines: string[] = [];
  for (const l of master) {
    const f = l.split(/\s+/);
    if (f[0] === 'maildrop') break;
    if (f[0] === 'smtp' && f[1] === 'inet') f[0] = `127.0.0.1:${port}`;
    if (f[4]) f[4] = 'n';
    lines.push(f.join('\t'));
  }
  writeFileSync(join(etc, 'master.cf'), `${lines.join('\n')}\n`);
  const start = await runTool('postfix', ['-c', etc, 'start'], { timeoutMs: 30_000 });
  const log = () => {
    try {
      return readFileSync(join(dir, 'maillog'), 'utf8').slice(-2000);
    } catch {
      return start.stderr;
    }
  };
  expect(start.code, log()).toBe(0);
  await until(
    'postfix to answer',
    async () => ((await swaks('postmaster@x.invalid', 'RCPT')).stdout.includes('220 ') ? true : undefined),
    15_000,
  );
}, 60_000);

afterAll(async () => {
  if (!root) return;
  if (etc) await runTool('postfix', ['-c', etc, 'stop'], { timeoutMs: 30_000 });
  await Promise.all([slapd?.stop(), sink?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!root)('the generated gateway configuration in a real Postfix (swaks)', () => {
  it('refuses a foreign domain with 554 (no open relay)', async () => {
    const r = await swaks('someone@elsewhere.example', 'RCPT');
    expect(r.stdout).toMatch(/<\*\*\s+554 5\.7\.1 .*Relay access denied/);
  });

  it('refuses an unknown user with 550 5.1.1 (the institution directory said no)', async () => {
    const r = await swaks('nobody@renater-example.fr', 'RCPT');
    expect(r.stdout).toMatch(/<\*\*\s+550 5\.1\.1 .*User unknown in relay recipient table/);
  });

  it('defers with 451 4.3.0 when the directory is down (never a false 550)', async () => {
    const r = await swaks('anyone@down-example.fr', 'RCPT');
    expect(r.stdout).toMatch(/<\*\*\s+451 4\.3\.0 .*Temporary lookup failure/);
  });

  it('delivers a known user to the institution’s next hop', async () => {
    const r = await swaks('Jeanne.Dupont@renater-example.fr');
    expect(r.stdout).toMatch(/<-\s+250 2\.0\.0 Ok: queued/);
    const m = await until(
      'delivery to the sink',
      async () => sink.messages.find((x) => x.to.includes('jeanne.dupont@renater-example.fr')),
      20_000,
    );
    expect(m.from).toBe('sender@antispam-test.example');
  }, 30_000);
});
