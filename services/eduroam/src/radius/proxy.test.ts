import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPortPair, makeRaddb, type Radius, startRadius } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RadiusClient, RadiusTimeout } from './client.js';
import { liveRelease, pruneReleases, stageRelease, swapLive } from './deploy.js';
import { renderProxyConfig } from './generate.js';
import { attributeText } from './packet.js';
import { SECRET_A1, SECRET_B1, twoInstitutions } from './test/fixtures.js';

/**
 * The generated national proxy, run by a real FreeRADIUS 3.2 in front of two real institution
 * servers on loopback (A at 127.0.0.2, B at 127.0.0.3). The test plays institution A's server
 * forwarding a visitor's request (it sends from 127.0.0.2, with A's secret).
 */

const home = (secret: string, users: string) => ({
  clients: `client national_proxy {\n\tipaddr = 127.0.0.1\n\tsecret = ${secret}\n\trequire_message_authenticator = yes\n}\n`,
  proxy: 'realm LOCAL {\n}\n',
  users,
});

describe('the generated national proxy on FreeRADIUS', () => {
  let a: Radius;
  let b: Radius;
  let proxy: Radius;
  let base: string;
  let target: { template: string; live: string };
  const asA = new RadiusClient({ bind4: '127.0.0.2' });

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startRadius({
        address: '127.0.0.2',
        ...home(
          SECRET_A1,
          '"alice@univ-a.example" Cleartext-Password := "alicepw"\n\tReply-Message := "Hello from univ-a"\n"carol@staff.univ-a.example" Cleartext-Password := "carolpw"',
        ),
      }),
      startRadius({
        address: '127.0.0.3',
        ...home(SECRET_B1, '"bob@univ-b.example" Cleartext-Password := "bobpw"'),
      }),
    ]);
    base = mkdtempSync(join(tmpdir(), 'eduroam-proxy-'));
    const authPort = await freeUdpPortPair();
    target = { template: join(base, 'template'), live: join(base, 'live') };
    makeRaddb(target.template, { address: '127.0.0.1', authPort, innerPort: await freeUdpPortPair() });
    // A2 is declared but not running: the pool fails over to A1 only if A1 is dead, which it is not.
    const config = renderProxyConfig(twoInstitutions({ a1: a.authPort, a2: 1812, b1: b.authPort }));
    const staged = await stageRelease(target, config, new Date());
    expect(staged.check.errors).toEqual([]);
    swapLive(target, staged.dir);
    proxy = await startRadius({ raddb: target.live, authPort });
  }, 60_000);

  afterAll(async () => {
    asA.close();
    await Promise.all([proxy?.stop(), a?.stop(), b?.stop()]);
    rmSync(base, { recursive: true, force: true });
  });

  const ask = (
    user: string,
    password: string,
    extra: { messageAuthenticator?: boolean; timeoutMs?: number } = {},
  ) =>
    asA.exchange({
      host: '127.0.0.1',
      port: proxy.authPort,
      secret: SECRET_A1,
      code: 'Access-Request',
      attributes: { 'User-Name': user, 'User-Password': password, 'NAS-IP-Address': '127.0.0.2' },
      timeoutMs: extra.timeoutMs ?? 4000,
      attempts: 1,
      ...(extra.messageAuthenticator === undefined
        ? {}
        : { messageAuthenticator: extra.messageAuthenticator }),
    });

  it('proxies alice@univ-a.example to her institution and brings its Access-Accept back', async () => {
    const mark = a.logMark();
    const x = await ask('alice@univ-a.example', 'alicepw');
    expect(x.reply.code).toBe('Access-Accept');
    expect(attributeText(x.reply, 'Reply-Message')).toBe('Hello from univ-a');
    // nostrip: the institution saw the full User-Name.
    expect(a.logSince(mark)).toContain('User-Name = "alice@univ-a.example"');
    expect(proxy.log()).toMatch(/Proxying request to home server 127\.0\.0\.2 port/);
  });

  it('routes a subrealm through the regex realm, case-insensitively', async () => {
    const x = await ask('carol@STAFF.Univ-A.example', 'carolpw');
    // The institution's users file is case-sensitive: reaching it is what this checks.
    expect(['Access-Accept', 'Access-Reject']).toContain(x.reply.code);
    expect(a.log()).toContain('User-Name = "carol@STAFF.Univ-A.example"');
  });

  it('sends another institution’s realm to that institution only', async () => {
    const markA = a.logMark();
    const x = await ask('bob@univ-b.example', 'bobpw');
    expect(x.reply.code).toBe('Access-Accept');
    expect(b.log()).toContain('User-Name = "bob@univ-b.example"');
    expect(a.logSince(markA)).not.toContain('bob@');
  });

  it('rejects unknown and look-alike realms without proxying them anywhere', async () => {
    const markA = a.logMark();
    const markB = b.logMark();
    for (const user of ['zoe@univ-z.example', 'mallory@evil-univ-a.example', 'eve@univ-a.example.evil']) {
      const x = await ask(user, 'x');
      expect(x.reply.code, user).toBe('Access-Reject');
    }
    expect(a.logSince(markA)).not.toMatch(/zoe@|mallory@|eve@/);
    expect(b.logSince(markB)).not.toMatch(/zoe@|mallory@|eve@/);
  });

  it('answers accounting itself: nothing is forwarded to the institution (RFC 7593 §5)', async () => {
    const markA = a.logMark();
    const x = await asA.exchange({
      host: '127.0.0.1',
      port: proxy.acctPort,
      secret: SECRET_A1,
      code: 'Accounting-Request',
      attributes: {
        'User-Name': 'alice@univ-a.example',
        'Acct-Status-Type': 1,
        'Acct-Session-Id': 'matrix-1',
        'NAS-IP-Address': '127.0.0.2',
      },
      timeoutMs: 4000,
      attempts: 1,
    });
    expect(x.reply.code).toBe('Accounting-Response');
    expect(a.logSince(markA)).not.toContain('Accounting-Request');
  });

  it('drops a request without Message-Authenticator', async () => {
    const mark = proxy.logMark();
    await expect(
      ask('alice@univ-a.example', 'alicepw', { messageAuthenticator: false, timeoutMs: 1500 }),
    ).rejects.toBeInstanceOf(RadiusTimeout);
    expect(proxy.logSince(mark)).toMatch(/does not contain required Message-Authenticator/);
  });

  it('keeps the running configuration when a new one is refused', async () => {
    const before = readlinkSync(target.live);
    // Break the operator's template: every release copied from it fails -XC.
    writeFileSync(
      join(target.template, 'sites-enabled', 'broken'),
      'server broken {\n\tauthorize {\n\t\tno_such_module\n\t}\n}\n',
    );
    try {
      const config = renderProxyConfig(twoInstitutions({ a1: a.authPort, a2: 1812, b1: b.authPort }));
      const staged = await stageRelease(target, config, new Date());
      expect(staged.check.ok).toBe(false);
      expect(staged.check.errors.join('\n')).toMatch(/no_such_module/);
      expect(existsSync(staged.dir)).toBe(false);
      expect(readlinkSync(target.live)).toBe(before);
      await proxy.restart();
      expect((await ask('alice@univ-a.example', 'alicepw')).reply.code).toBe('Access-Accept');
    } finally {
      rmSync(join(target.template, 'sites-enabled', 'broken'));
    }
    pruneReleases({ ...target, keep: 1 });
    expect(liveRelease(target)?.dir).toBe(before);
  }, 30_000);
});
