import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTool } from '@guichet/core';

/**
 * Copies the installed rspamd configuration into `dir` with its `$CONFDIR`/`$LOCAL_CONFDIR`
 * pointing at the copy, so a check or a test daemon reads the copy and never the live files.
 * Both spellings: modules.conf loads `${CONFDIR}/modules.d/*.conf` (braces), and each module's
 * local.d include is in there — rewriting only `$CONFDIR` had the copy load the system's
 * modules.d, hence the system's local.d/multimap.conf, and every rendered multimap was ignored.
 */
export function copyRspamdConfig(system: string, dir: string): void {
  cpSync(system, dir, { recursive: true });
  const rewrite = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) rewrite(p);
      else if (/\.(conf|inc)$/.test(n)) {
        const t = readFileSync(p, 'utf8');
        if (t.includes('CONFDIR'))
          writeFileSync(
            p,
            t.replace(/\$\{LOCAL_CONFDIR\}|\$LOCAL_CONFDIR\b|\$\{CONFDIR\}|\$CONFDIR\b/g, dir),
          );
      }
    }
  };
  rewrite(dir);
}

/**
 * `rspamadm configtest` of rendered files inside a copy of the installed configuration
 * (/etc/rspamd), whose `$CONFDIR`/`$LOCAL_CONFDIR` are rewritten to the copy: rspamadm has no
 * option to move LOCAL_CONFDIR, and the live configuration must not be touched by a check.
 */
export async function rspamdConfigTest(
  files: Record<string, string>,
  mapDir: string,
  system = '/etc/rspamd',
): Promise<{ ok: boolean; errors: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-check-'));
  try {
    copyRspamdConfig(system, dir);
    for (const [name, content] of Object.entries(files)) {
      const p = name.startsWith('local.d/') ? join(dir, name) : join(mapDir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    const r = await runTool('rspamadm', ['configtest', '-c', join(dir, 'rspamd.conf')], {
      timeoutMs: 60_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    const ok = r.code === 0 && /syntax OK/.test(out);
    return {
      ok,
      errors: ok
        ? []
        : out
            .split('\n')
            .filter((l) => /error|BAD|failed/i.test(l))
            .slice(0, 20),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
