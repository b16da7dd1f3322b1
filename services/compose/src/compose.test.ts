import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, createLogger, createSecretBox } from '@guichet/core';
import { freshDatabase } from '@guichet/testkit';
import { getKind } from '@guichet/workflow';
import { describe, expect, it } from 'vitest';
import { composeEnv, loadComposedConfig } from './compose.js';
import { LINES } from './lines.js';

const SERVICES = fileURLToPath(new URL('../..', import.meta.url));
const HOSTS = ['api', 'worker'];

/** Production .ts files under a folder (tests, fixtures and the authorisation matrix's cases left out). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return ['test', 'authz'].includes(f) ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('the composition list', () => {
  const folders = readdirSync(SERVICES).filter((d) => existsSync(join(SERVICES, d, 'src/line.ts')));

  it('holds every service line folder, once', () => {
    expect(LINES.map((l) => l.name).sort()).toEqual([...folders].sort());
    expect(new Set(LINES.map((l) => l.name)).size).toBe(LINES.length);
  });

  it('is the only way the hosts reach a line: neither the api nor the worker imports one', () => {
    const lines = new Set(LINES.map((l) => l.name));
    const offenders = HOSTS.flatMap((h) =>
      sources(join(SERVICES, h, 'src')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/from '@guichet\/([a-z]+)'/g)]
          .filter((m) => lines.has(m[1] ?? ''))
          .map((m) => `${file.slice(SERVICES.length)} imports @guichet/${m[1]}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('registers every kind of every line, each named after its line', () => {
    for (const line of LINES) {
      for (const k of line.kinds ?? []) {
        expect(k.kind.startsWith(`${line.name}.`), k.kind).toBe(true);
        expect(getKind(k.kind)).toBe(k);
      }
    }
  });

  it('reads every line’s variables once, and names every bad one in one message', () => {
    const ok = loadComposedConfig({ IPAM_AUTO_APPROVE: 'false', ROUTING_MAX_V4: '22' });
    expect(Object.keys(ok.lines).sort()).toEqual(LINES.map((l) => l.name).sort());
    expect(ok.lines.ipam).toMatchObject({ IPAM_AUTO_APPROVE: false });
    expect(ok.lines.routing).toMatchObject({ ROUTING_MAX_V4: 22 });
    const bad = (() => {
      try {
        loadComposedConfig({ PORT: 'x', ROUTING_MAX_V4: '99', RDNS_KNOT_CONF: '/etc/knot.conf' });
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    for (const name of ['PORT', 'ROUTING_MAX_V4', 'RDNS_ZONE_DIR']) expect(String(bad)).toContain(name);
  });

  it('gives two envs in one process their own configuration', async () => {
    const database = await freshDatabase();
    const logger = createLogger('silent');
    const secrets = createSecretBox(randomBytes(32));
    try {
      const a = composeEnv({
        database,
        config: loadComposedConfig({ ROUTING_MAX_V4: '22' }),
        logger,
        secrets,
      });
      const b = composeEnv({
        database,
        config: loadComposedConfig({ ROUTING_MAX_V4: '24' }),
        logger,
        secrets,
      });
      expect(a.line('routing').limits.maxV4).toBe(22);
      expect(b.line('routing').limits.maxV4).toBe(24);
      // Every process composes the same jobs: the platform's and each line's, prefixed by line.
      const names = a.jobDefinitions().map((j) => j.name);
      expect(names).toEqual(b.jobDefinitions().map((j) => j.name));
      const prefixes = ['workflow', ...LINES.map((l) => l.name)];
      for (const n of names) expect(prefixes, n).toContain(n.split('.')[0]);
    } finally {
      await database.close();
    }
  });
});
