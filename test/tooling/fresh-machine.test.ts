import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// README's two commands on a fresh machine, as far as a test can check them: what they run,
// pnpm pinned so that corepack needs nothing exported, and the peers' install script (its
// list, its answers when something is missing). The full proof — a fresh clone, an empty
// store, a machine without the peers — is the issue note's.

const ROOT = join(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const INSTALL = join(ROOT, 'infra/peers/install.sh');
const pkg = JSON.parse(read('package.json')) as { packageManager: string; scripts: Record<string, string> };
const listed = read('infra/peers/apt-packages.txt')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter(Boolean);
const tmp = mkdtempSync(join(tmpdir(), 'guichet-peers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the two commands', () => {
  it('README opens with them', () => {
    const block = /```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
    const commands = block.split('\n').map((l) => l.replace(/#.*/, '').trim());
    expect(commands.slice(0, 2)).toEqual([
      'corepack enable && pnpm install && pnpm start',
      'infra/peers/install.sh && pnpm test:all',
    ]);
  });

  it('pins pnpm with its sha512, so corepack checks the hash instead of registry signatures', () => {
    expect(pkg.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+\+sha512\.[0-9a-f]{128}$/);
    expect(read('.ci/run')).not.toMatch(/COREPACK_INTEGRITY_KEYS=/);
  });

  it('install compiles what start runs; start and worker run the compiled entries', () => {
    expect(pkg.scripts).toMatchObject({
      postinstall: 'node scripts/build.mjs',
      // exec: pnpm's shell becomes node, so a supervisor's SIGTERM to pnpm reaches the process
      // (dash would die on it and leave node running).
      start: 'exec node scripts/start.mjs api',
      worker: 'exec node scripts/start.mjs worker',
    });
  });

  it('CI installs the peers through the same script, not a list of its own', () => {
    const ci = read('.ci/run');
    expect(ci).toMatch(/^infra\/peers\/install\.sh$/m);
    expect(ci).not.toMatch(/apt-get install/);
  });
});

describe('infra/peers/install.sh', () => {
  const run = (args: string[], env: Record<string, string> = {}, asUser?: string) => {
    const argv = asUser
      ? ['setpriv', '--reuid', asUser, '--regid', 'nogroup', '--clear-groups', INSTALL, ...args]
      : [INSTALL, ...args];
    const r = spawnSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('lists exactly the packages of apt-packages.txt, each one Debian knows', () => {
    expect(run(['--list']).out.trim().split('\n')).toEqual(listed);
    // One apt-cache call for all (each call loads the whole cache).
    const r = spawnSync('apt-cache', ['show', '--no-all-versions', ...listed], { encoding: 'utf8' });
    const known = new Set([...r.stdout.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
    expect(listed.filter((p) => !known.has(p))).toEqual([]);
  }, 60_000);

  it('finds nothing missing here (CI ran it before the tests)', () => {
    expect(run(['--check'])).toMatchObject({ status: 0 });
  });

  it('names what is missing, and installs nothing with --check', () => {
    const list = join(tmp, 'list.txt');
    writeFileSync(list, 'bash # present everywhere\nguichet-no-such-package # missing\n');
    const r = run(['--check'], { GUICHET_PEERS_LIST: list });
    expect(r).toEqual({ status: 1, out: 'infra/peers: missing: guichet-no-such-package\n' });
  });

  it.runIf(process.getuid?.() === 0)('says what to run as root when it is not root and cannot sudo', () => {
    const list = join(tmp, 'list.txt');
    writeFileSync(list, 'guichet-no-such-package\n');
    chmodSync(tmp, 0o755); // readable by nobody
    chmodSync(list, 0o644);
    const r = run([], { GUICHET_PEERS_LIST: list, GUICHET_PEERS_NO_SUDO: '1' }, 'nobody');
    expect(r.status).toBe(1);
    expect(r.out).toContain(
      `missing guichet-no-such-package; run as root: ${join(ROOT, 'infra/peers')}/install.sh`,
    );
  });
});
