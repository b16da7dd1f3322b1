import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadComposedConfig } from '@guichet/compose';
import { describe, expect, it } from 'vitest';
import { ENTRIES } from '../../scripts/build-state.mjs';
import { configVariables } from './config-variables.js';

/**
 * The deployment files, each checked by the tool that will read it: systemd-analyze on the
 * units, docker-compose on the compose file, Guichet's own config loader on the example
 * environment file. nginx and backups have their own files (nginx.test.ts, backup.test.ts).
 */

const here = import.meta.dirname;
const ROOT = join(here, '../..');
const read = (p: string) => readFileSync(join(here, p), 'utf8');
const UNITS = ['systemd/guichet-api.service', 'systemd/guichet-worker.service'];

/** `KEY=value` settings of a unit, in order (repeated keys kept). */
function settings(unit: string): [string, string][] {
  return read(unit)
    .split('\n')
    .filter((l) => /^[A-Z][A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

describe('systemd units', () => {
  it('pass systemd-analyze verify without a warning about them', () => {
    const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(here, u))], {
      encoding: 'utf8',
    });
    // verify also lints the host's units it loads (After=postgresql.service…): only ours count.
    const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /guichet-(api|worker)\.service/.test(l));
    expect({ status: r.status, ours }).toEqual({ status: 0, ours: [] });
  });

  it.each(UNITS)('%s runs the compiled entry as a dedicated user, sandboxed', (unit) => {
    const s = Object.fromEntries(settings(unit));
    const entry = unit.includes('api') ? 'api' : 'worker';
    expect(Object.keys(ENTRIES)).toContain(entry);
    expect(s.ExecStart).toMatch(new RegExp(`^/usr/bin/node .*/opt/guichet/dist/${entry}\\.mjs$`));
    expect(s).toMatchObject({
      User: 'guichet',
      ProtectSystem: 'strict',
      NoNewPrivileges: 'yes',
      StateDirectory: 'guichet',
      CapabilityBoundingSet: '',
    });
    expect(read('systemd/guichet.sysusers')).toMatch(/^u guichet /m);
  });

  it.each(UNITS)('%s scores "OK" or better in systemd-analyze security', (unit) => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=true', join(here, unit)], {
      encoding: 'utf8',
    });
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)?.[1]);
    // 0 is fully locked down, 10 unprotected; systemd calls ≤ 3.9 "OK", ≤ 1.9 "SAFE".
    expect(score).toBeLessThanOrEqual(2);
  });
});

describe('compose file', () => {
  const compose = (...args: string[]) =>
    spawnSync('docker-compose', ['-f', join(here, 'compose.yaml'), ...args], { encoding: 'utf8' });

  it('validates (docker-compose config needs no daemon)', () => {
    const r = compose('config', '--quiet');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('runs PostgreSQL, the api and the workers on it, from the bundles', () => {
    expect(compose('config', '--services').stdout.trim().split('\n').sort()).toEqual([
      'api',
      'postgres',
      'worker',
    ]);
    const config = compose('config').stdout;
    for (const entry of ['api', 'worker']) expect(config).toContain(`- dist/${entry}.mjs`);
    expect(
      config.match(/DATABASE_URL: postgres:\/\/guichet:guichet-trial@postgres:5432\/guichet/g),
    ).toHaveLength(2);
    expect(config).toMatch(/condition: service_healthy/);
  });
});

describe('example environment file', () => {
  const lines = read('guichet.env.example')
    .split('\n')
    .map((l) => /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, comment, name, value]) => ({ active: comment === '', name: name!, value: value! }));

  it('names every variable the configuration reads, once, and nothing else', () => {
    const named = lines.map((l) => l.name);
    expect(named.filter((n, i) => named.indexOf(n) !== i)).toEqual([]);
    expect([...named].sort()).toEqual([...configVariables()].sort());
  });

  it('loads as it is, and with every example value uncommented', () => {
    const active = Object.fromEntries(lines.filter((l) => l.active).map((l) => [l.name, l.value]));
    expect(() => loadComposedConfig(active)).not.toThrow();
    const all = Object.fromEntries(lines.map((l) => [l.name, l.value]));
    expect(() => loadComposedConfig(all)).not.toThrow();
  });

  it("matches README.md's variables table", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1]);
    expect(configVariables().filter((v) => !table.includes(v))).toEqual([]);
  });
});
