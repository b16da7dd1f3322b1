import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rules are a CI gate: prove they catch what ARCHITECTURE.md forbids, on a
// fixture workspace (scripts/fixtures/deps), never by breaking the real tree.
const root = join(import.meta.dirname, '../..');

function proveDeps(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(root, 'scripts/prove-deps.mjs')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('reports every deliberate violation of the fixture, by rule name, and nothing else', () => {
    const run = proveDeps();
    expect(run.stdout).toContain('every rule fires');
    expect(run.stdout).toContain('caught layer-core: packages/core/src/index.ts → packages/db/src/index.ts');
    expect(run.stdout).toContain('caught no-circular: packages/db/src/a.ts → packages/db/src/b.ts');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('does not pass with an empty rule set', () => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'deps-empty-'));
    try {
      const config = join(dir, 'empty.cjs');
      writeFileSync(
        config,
        `module.exports = { ...require(${JSON.stringify(join(root, '.dependency-cruiser.cjs'))}), forbidden: [] };\n`,
      );
      const run = proveDeps({ PROVE_DEPS_CONFIG: config });
      expect(run.stdout).toContain('MISSED layer-core');
      expect(run.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
