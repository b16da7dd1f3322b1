import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRaddb } from '@guichet/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRaddb } from './deploy.js';
import { regexOrder, renderProxyConfig } from './generate.js';
import { LintError, lintConfig } from './lint.js';
import { SECRET_A1, twoInstitutions } from './test/fixtures.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A throwaway raddb holding the generated files, for freeradius -XC. */
function raddbWith(proxy: string, clients: string): string {
  const base = mkdtempSync(join(tmpdir(), 'eduroam-gen-'));
  dirs.push(base);
  const dir = join(base, 'raddb');
  makeRaddb(dir, { address: '127.0.0.1', authPort: 41812, innerPort: 41820, proxy, clients });
  return dir;
}

describe('national proxy configuration', () => {
  const model = twoInstitutions({ a1: 1812, a2: 1812, b1: 1812 });

  it('matches the golden files, whatever order institutions come in', () => {
    const c = renderProxyConfig(model);
    const reversed = renderProxyConfig({ ...model, institutions: [...model.institutions].reverse() });
    expect(reversed).toEqual(c);
    if (process.env.UPDATE_GOLDEN) {
      writeFileSync(join(GOLDEN, 'proxy.conf'), c.proxyConf);
      writeFileSync(join(GOLDEN, 'clients.conf'), c.clientsConf);
    }
    expect(c.proxyConf).toBe(readFileSync(join(GOLDEN, 'proxy.conf'), 'utf8'));
    expect(c.clientsConf).toBe(readFileSync(join(GOLDEN, 'clients.conf'), 'utf8'));
  });

  it('writes anchored single-backslash regexes, nostrip, status-server and Message-Authenticator everywhere', () => {
    const { proxyConf, clientsConf } = renderProxyConfig(model);
    expect(proxyConf).toContain('realm "~^([a-z0-9-]+\\.)+univ-a\\.example$" {');
    expect(proxyConf).not.toContain('\\\\');
    const realms = proxyConf.split('\nrealm ').slice(1);
    for (const r of realms.filter((x) => x.includes('auth_pool'))) expect(r).toContain('nostrip');
    expect(proxyConf.match(/status_check = status-server/g)?.length).toBe(3);
    expect(clientsConf.match(/require_message_authenticator = yes/g)?.length).toBe(3);
    // Most specific regex realm first: lab.sciences.univ-a2.example (4 labels) before univ-a.example.
    expect(proxyConf.indexOf('lab\\.sciences')).toBeLessThan(
      proxyConf.indexOf('"~^([a-z0-9-]+\\.)+univ-a\\.example$"'),
    );
    expect(['a.b', 'x.y.a.b', 'c.a.b'].sort(regexOrder)).toEqual(['x.y.a.b', 'c.a.b', 'a.b']);
  });

  it('passes freeradius -XC', async () => {
    const { proxyConf, clientsConf } = renderProxyConfig(model);
    const r = await checkRaddb(raddbWith(proxyConf, clientsConf));
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('refuses two home servers on one ip:port, and a short secret, before FreeRADIUS would', async () => {
    const [b, a] = model.institutions;
    const clash = {
      ...model,
      institutions: [b!, { ...a!, servers: [a!.servers[0]!, { ...a!.servers[1]!, address: '127.0.0.2' }] }],
    };
    expect(() => renderProxyConfig(clash)).toThrow(/share 127\.0\.0\.2/);
    const weak = { ...model, institutions: [{ ...b!, servers: [{ ...b!.servers[0]!, secret: 'short' }] }] };
    expect(() => renderProxyConfig(weak)).toThrow(/32–128/);
    // What FreeRADIUS itself says about the duplicate (the reason the generator refuses it).
    const { proxyConf, clientsConf } = renderProxyConfig(model);
    const dup = `${proxyConf}\nhome_server again {\n\ttype = auth\n\tipaddr = 127.0.0.3\n\tport = 1812\n\tsecret = "${SECRET_A1}"\n}\n`;
    const r = await checkRaddb(raddbWith(dup, clientsConf));
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/Duplicate home server/);
  });

  it('lints away the keys FreeRADIUS would ignore silently', async () => {
    const { clientsConf } = renderProxyConfig(model);
    const typo = clientsConf.replace(
      'require_message_authenticator = yes',
      'require_message_authentictor = yes',
    );
    expect(() => lintConfig('clients.conf', typo)).toThrow(LintError);
    // -XC accepts the same typo: this is why the lint exists.
    const { proxyConf } = renderProxyConfig(model);
    expect((await checkRaddb(raddbWith(proxyConf, typo))).ok).toBe(true);
    expect(() => lintConfig('clients.conf', clientsConf.replace('= yes', '= no'))).toThrow(
      /require_message_authenticator = yes/,
    );
    expect(() => lintConfig('proxy.conf', 'realm x {\n\tauth_pool = p\n}\n')).toThrow(/nostrip/);
    expect(() =>
      lintConfig('proxy.conf', 'home_server x {\n\trequire_message_authenticator = yes\n'),
    ).toThrow(/no item/);
  });
});
