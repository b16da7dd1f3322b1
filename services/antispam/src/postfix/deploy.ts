import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { currentRelease, stagingDir, swapCurrent } from '../release.js';
import type { RenderedMaps } from './render.js';

/**
 * Atomic publication of the gateway's maps: written into a release directory, checked there by
 * the real `postfix check` (a throwaway instance whose main.cf points at the release), and only
 * then made current by renaming a fresh symbolic link over `current` (rename(2) is atomic). A
 * refused release is deleted; `current` still points at the previous one.
 */

export interface CheckResult {
  ok: boolean;
  errors: string[];
  ms: number;
}

const MASTER_CF = [
  'pickup    unix  n       -       n       60      1       pickup',
  'cleanup   unix  n       -       n       -       0       cleanup',
  'qmgr      unix  n       -       n       300     1       qmgr',
  'rewrite   unix  -       -       n       -       -       trivial-rewrite',
  'bounce    unix  -       -       n       -       0       bounce',
  'defer     unix  -       -       n       -       0       bounce',
  'trace     unix  -       -       n       -       0       bounce',
  'verify    unix  -       -       n       -       1       verify',
  'flush     unix  n       -       n       1000?   0       flush',
  'proxymap  unix  -       -       n       -       -       proxymap',
  'smtp      unix  -       -       n       -       -       smtp',
  'relay     unix  -       -       n       -       -       smtp',
  'error     unix  -       -       n       -       -       error',
  'retry     unix  -       -       n       -       -       error',
  'discard   unix  -       -       n       -       -       discard',
  'postlog   unix-dgram n  -       n       -       1       postlogd',
  '',
].join('\n');

/**
 * Writes the maps into `dir` (the ldap files 0600: they hold bind passwords), and the main.cf
 * parameters pointing at `live` (the `current` link the gateway reads) for the operator to include.
 */
export function writeRelease(dir: string, maps: RenderedMaps, live = dir): void {
  mkdirSync(join(dir, 'ldap'), { recursive: true, mode: 0o750 });
  for (const [name, content] of Object.entries(maps.files)) {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: name.startsWith('ldap/') ? 0o600 : 0o644 });
  }
  writeFileSync(join(dir, 'main.cf.antispam'), maps.mainCf(live));
}

/**
 * `postfix -c <instance> check` with a minimal main.cf including the release's parameters, plus a
 * `postmap -q` of every relay domain in the transport map (Postfix reads the table as the gateway
 * will). The instance lives in a temporary directory removed afterwards.
 */
export async function checkRelease(dir: string, maps: RenderedMaps): Promise<CheckResult> {
  const t0 = performance.now();
  const inst = mkdtempSync(join(tmpdir(), 'guichet-antispam-check-'));
  const errors: string[] = [];
  try {
    for (const d of ['etc', 'spool', 'data']) mkdirSync(join(inst, d));
    // postfix check warns (and may fail) when data_directory is not the mail owner's.
    if (userInfo().uid === 0) {
      try {
        const uid = Number((await runTool('id', ['-u', 'postfix'], { timeoutMs: 5000 })).stdout.trim());
        if (Number.isInteger(uid)) chownSync(join(inst, 'data'), uid, 0);
      } catch {
        // no postfix user: the check below says what is wrong
      }
    }
    writeFileSync(
      join(inst, 'etc', 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${inst}/spool`,
        `data_directory = ${inst}/data`,
        `maillog_file = ${inst}/maillog`,
        `maillog_file_prefixes = ${inst}`,
        'mail_owner = postfix',
        'setgid_group = postdrop',
        'myhostname = gateway.check.invalid',
        'mydestination =',
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        'alias_maps =',
        'alias_database =',
        'smtpd_relay_restrictions = reject_unauth_destination',
        maps.mainCf(dir),
      ].join('\n'),
    );
    writeFileSync(join(inst, 'etc', 'master.cf'), MASTER_CF);
    const r = await runTool('postfix', ['-c', join(inst, 'etc'), 'check'], { timeoutMs: 30_000 });
    const log = existsSync(join(inst, 'maillog')) ? readFileSync(join(inst, 'maillog'), 'utf8') : '';
    const problems = `${r.stderr}\n${log}`
      .split('\n')
      .filter((l) => /fatal|error|warning/.test(l))
      .map((l) => l.replace(/^.*?postfix[^:]*: /, '').trim());
    if (r.code !== 0) errors.push(...(problems.length ? problems : [`postfix check exited ${r.code}`]));
    // One postmap for every key (`-q -` reads them from stdin, prints `key<TAB>value` per hit).
    const keys = (maps.files.relay_domains ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0] as string);
    if (keys.length) {
      const q = await runTool('postmap', ['-q', '-', `texthash:${dir}/transport`], {
        timeoutMs: 30_000,
        input: `${keys.join('\n')}\n`,
      });
      const found = new Set(
        q.stdout
          .split('\n')
          .filter((l) => /\tsmtp:/.test(l))
          .map((l) => l.split('\t')[0]),
      );
      for (const k of keys) if (!found.has(k)) errors.push(`transport has no entry for ${k}`);
    }
    return { ok: errors.length === 0, errors, ms: Math.round(performance.now() - t0) };
  } finally {
    rmSync(inst, { recursive: true, force: true });
  }
}

export interface Swap {
  status: 'deployed' | 'unchanged' | 'refused';
  errors: string[];
  checkMs: number;
}

/** Stages `maps` under `base/releases/<hash>`, checks it, swaps `base/current`; keeps the last three releases. */
export async function stageAndSwap(base: string, maps: RenderedMaps): Promise<Swap> {
  if (currentRelease(base) === maps.hash) return { status: 'unchanged', errors: [], checkMs: 0 };
  const dir = stagingDir(base, maps.hash);
  writeRelease(dir, maps, join(base, 'current'));
  const check = await checkRelease(dir, maps);
  if (!check.ok) {
    rmSync(dir, { recursive: true, force: true });
    return { status: 'refused', errors: check.errors, checkMs: check.ms };
  }
  swapCurrent(base, maps.hash);
  return { status: 'deployed', errors: [], checkMs: check.ms };
}
