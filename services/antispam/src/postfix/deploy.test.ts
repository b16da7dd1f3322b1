import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { type Slapd, startSlapd } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageAndSwap } from './deploy.js';
import { type PlatformInstitution, renderMaps } from './render.js';

/**
 * The generated maps against the real tools: `postfix check` accepts them, a broken release is
 * refused and leaves `current` alone, and `postmap -q` through the generated ldap_table file asks
 * a real slapd with the institution's bind DN (known found, unknown and injection not).
 */

let slapd: Slapd;
let base: string;

const inst = (over: Partial<PlatformInstitution> = {}): PlatformInstitution => ({
  mapId: '00000000-0000-4000-8000-000000000001',
  domains: ['renater-example.fr'],
  directory: {
    url: slapd.url,
    base: `ou=people,${slapd.suffix}`,
    filter: '(mail=%s)',
    bindDn: slapd.userDn('pbernard'),
    resultAttribute: 'mail',
    startTls: false,
  },
  bindPassword: 'pbernard-pw',
  nextHops: [{ host: '127.0.0.1', port: 2626 }],
  ...over,
});

beforeAll(async () => {
  slapd = await startSlapd();
  base = mkdtempSync(join(tmpdir(), 'guichet-antispam-pf-'));
}, 30_000);
afterAll(async () => {
  await slapd?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('postfix maps', () => {
  it('renders relay_domains, transport with [host]:port and .subdomain, one ldap map per institution', () => {
    const m = renderMaps([inst()]);
    expect(m.files.relay_domains).toBe('renater-example.fr\tOK\n');
    expect(m.files.transport).toContain('renater-example.fr\tsmtp:[127.0.0.1]:2626');
    expect(m.files.transport).toContain('.renater-example.fr\tsmtp:[127.0.0.1]:2626');
    const ldap = m.files['ldap/00000000-0000-4000-8000-000000000001.cf'] as string;
    expect(ldap).toMatch(/^domain = renater-example\.fr$/m);
    expect(ldap).toMatch(/^bind = yes$/m);
    expect(ldap).toMatch(/^version = 3$/m);
    expect(m.mainCf('/x/current')).toContain('relay_recipient_maps = ldap:/x/current/ldap/');
  });

  it('checks with postfix check, swaps current atomically, and postmap -q asks the real slapd', async () => {
    const out = await stageAndSwap(base, renderMaps([inst()]));
    expect(out).toMatchObject({ status: 'deployed', errors: [] });
    const current = join(base, 'current');
    const map = `ldap:${current}/ldap/00000000-0000-4000-8000-000000000001.cf`;
    expect(statSync(join(current, 'ldap/00000000-0000-4000-8000-000000000001.cf')).mode & 0o077).toBe(0);
    const known = await runTool('postmap', ['-q', 'Jeanne.Dupont@renater-example.fr', map], {
      timeoutMs: 10_000,
    });
    expect(known).toMatchObject({ code: 0 });
    expect(known.stdout.trim()).toBe('jeanne.dupont@renater-example.fr');
    const unknown = await runTool('postmap', ['-q', 'nobody@renater-example.fr', map], { timeoutMs: 10_000 });
    expect(unknown.code).toBe(1);
    const injection = await runTool('postmap', ['-q', 'x)(mail=*@renater-example.fr', map], {
      timeoutMs: 10_000,
    });
    expect(injection.code).toBe(1);
    // Another domain is never asked of this directory (`domain =`).
    const foreign = await runTool('postmap', ['-q', 'jeanne.dupont@elsewhere.example', map], {
      timeoutMs: 10_000,
    });
    expect(foreign.code).toBe(1);
    const tr = await runTool('postmap', ['-q', '.renater-example.fr', `texthash:${current}/transport`], {
      timeoutMs: 10_000,
    });
    expect(tr.stdout.trim()).toBe('smtp:[127.0.0.1]:2626');
    // Same maps again: nothing to do.
    expect((await stageAndSwap(base, renderMaps([inst()]))).status).toBe('unchanged');
  }, 60_000);

  it('a release postfix refuses leaves the previous one current', async () => {
    const before = readlinkSync(join(base, 'current'));
    const broken = renderMaps([inst()]);
    // A parameter Postfix cannot parse in main.cf (rendering never makes one; the check must catch it).
    const bad = {
      ...broken,
      hash: 'broken',
      mainCf: (d: string) => `${broken.mainCf(d)}mail_owner = nosuchuser-guichet\n`,
    };
    const out = await stageAndSwap(base, bad);
    expect(out.status).toBe('refused');
    expect(out.errors.length).toBeGreaterThan(0);
    expect(readlinkSync(join(base, 'current'))).toBe(before);
    expect(existsSync(join(base, 'releases', 'broken'))).toBe(false);
    expect(readFileSync(join(base, 'current', 'relay_domains'), 'utf8')).toContain('renater-example.fr');
  }, 60_000);
});
