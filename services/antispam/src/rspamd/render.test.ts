import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRspamdConfig, rspamdConfigTest } from './check.js';
import { rspamdRelease, stageAndSwapRspamd } from './deploy.js';
import { renderRspamd, settingsBlock } from './render.js';

/** Rendered Rspamd settings and multimaps, checked by the real `rspamadm configtest`. */

const mapDir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-maps-'));
afterAll(() => rmSync(mapDir, { recursive: true, force: true }));

const tenants = [
  {
    id: 'a',
    domains: ['univ-a.example'],
    thresholds: { reject: 10 },
    allow: ['friend@partner.org', '@trusted.org'],
  },
  { id: 'b', domains: ['univ-b.example', 'lab.univ-b.example'], tagSubject: true, deny: ['@spammy.example'] },
];

describe('rspamd settings', () => {
  it('layers the platform defaults under the institution, header tagging by default', () => {
    const a = settingsBlock(tenants[0] as never);
    expect(a).toContain('reject = 10;');
    expect(a).toContain('"add header" = 6;');
    expect(a).toContain('"rewrite subject" = null;');
    const b = settingsBlock(tenants[1] as never);
    expect(b).toContain('"rewrite subject" = 8;');
    expect(b).toContain('subject = "[SPAM] %s";');
  });

  it('renders lists per recipient domain, addresses and domains apart', () => {
    const f = renderRspamd(tenants, mapDir);
    expect(f['guichet_allow_addr.map']).toBe('univ-a.example:friend@partner.org\n');
    expect(f['guichet_allow_domain.map']).toBe('univ-a.example:trusted.org\n');
    expect(f['guichet_deny_domain.map']).toBe(
      'lab.univ-b.example:spammy.example\nuniv-b.example:spammy.example\n',
    );
  });

  it('rspamadm configtest accepts the rendering and refuses a broken one', async () => {
    const f = renderRspamd(tenants, mapDir);
    expect(await rspamdConfigTest(f, mapDir)).toEqual({ ok: true, errors: [] });
    const broken = { ...f, 'local.d/settings.conf': `${f['local.d/settings.conf']}guichet_x { apply {\n` };
    const r = await rspamdConfigTest(broken, mapDir);
    expect(r.ok).toBe(false);
    expect(r.errors.join(' ')).toMatch(/unmatched|BAD/);
  }, 60_000);

  it('the check copy loads the rendered multimaps (configdump), not the system local.d', async () => {
    // modules.conf includes `${CONFDIR}/modules.d/*.conf`: a copy that rewrote only `$CONFDIR`
    // loaded the system's local.d/multimap.conf, and no GUICHET_* rule was ever loaded.
    const dir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-dump-'));
    try {
      copyRspamdConfig('/etc/rspamd', dir);
      const f = renderRspamd(tenants, mapDir);
      writeFileSync(join(dir, 'local.d', 'multimap.conf'), f['local.d/multimap.conf'] as string);
      const r = await runTool('rspamadm', ['configdump', '-c', join(dir, 'rspamd.conf'), 'multimap'], {
        timeoutMs: 60_000,
      });
      const rules = [...r.stdout.matchAll(/^(GUICHET_\w+) \{/gm)].map((m) => m[1]).sort();
      expect(rules).toEqual([
        'GUICHET_ALLOW_ADDR',
        'GUICHET_ALLOW_DOMAIN',
        'GUICHET_DENY_ADDR',
        'GUICHET_DENY_DOMAIN',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('rspamd publication', () => {
  it('swaps a checked release in; a refused one leaves the running release untouched', async () => {
    const base = mkdtempSync(join(tmpdir(), 'guichet-rspamd-swap-'));
    try {
      const good = rspamdRelease(tenants);
      expect((await stageAndSwapRspamd(base, good)).status).toBe('deployed');
      const live = readlinkSync(join(base, 'current'));
      const settings = readFileSync(join(base, 'current', 'settings.conf'), 'utf8');
      expect(settings).toContain('reject = 10;');
      // A release rspamadm refuses (an unterminated block, as a rendering bug would leave).
      const bad = { ...rspamdRelease([{ id: 'z', domains: ['z.example'] }]) };
      const files = bad.files;
      bad.files = (dir) => ({ ...files(dir), 'settings.conf': 'guichet_z { apply {\n' });
      const r = await stageAndSwapRspamd(base, bad);
      expect(r.status).toBe('refused');
      expect(readlinkSync(join(base, 'current'))).toBe(live);
      expect(readFileSync(join(base, 'current', 'settings.conf'), 'utf8')).toBe(settings);
      expect(await stageAndSwapRspamd(base, good)).toMatchObject({ status: 'unchanged' });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});
