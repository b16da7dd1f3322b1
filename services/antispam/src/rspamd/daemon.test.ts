import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rspamd, startRspamd } from '../test/rspamd.js';
import { renderRspamd } from './render.js';

/**
 * A real rspamd with the rendered settings and lists. The same message gets each institution's
 * verdict (A and B reject at 3, C keeps the platform's 15); A's allow list accepts a sender for
 * A's domain only (B still rejects it), A's deny list rejects a clean message for A only.
 */

let rspamd: Rspamd;
const dir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-msg-'));
const spam = join(dir, 'spam.eml');
const clean = join(dir, 'clean.eml');

beforeAll(async () => {
  const tenants = [
    {
      id: 'a',
      domains: ['univ-a.example'],
      thresholds: { reject: 3, addHeader: 1 },
      allow: ['friend@partner.org', '@trusted.org', 'vip@spammer.example'],
      deny: ['pest@nuisance.example', '@spammer.example', 'rogue@trusted.org'],
    },
    { id: 'b', domains: ['univ-b.example'], thresholds: { reject: 3, addHeader: 1 } },
    { id: 'c', domains: ['univ-c.example'] },
  ];
  const mapDir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-lists-'));
  const files = renderRspamd(tenants, mapDir);
  for (const [n, c] of Object.entries(files))
    if (!n.startsWith('local.d/')) writeFileSync(join(mapDir, n), c);
  rspamd = await startRspamd(
    Object.fromEntries(Object.entries(files).filter(([n]) => n.startsWith('local.d/'))),
  );
  writeFileSync(
    spam,
    'From: someone@b.example\nTo: x@univ-a.example\nSubject: hello\n\nbuy cheap viagra now http://bit.ly/x\n',
  );
  writeFileSync(
    clean,
    'From: pest@nuisance.example\nTo: x@univ-a.example\nSubject: minutes of the meeting\nMessage-ID: <m1@nuisance.example>\nDate: Thu, 3 Dec 2026 10:00:00 +0000\n\nHello, please find the minutes below.\n',
  );
}, 60_000);
afterAll(async () => {
  await rspamd?.stop();
});

const scan = async (rcpt: string, from: string, msg = spam) => {
  const r = await runTool('rspamc', ['-h', rspamd.address, '--rcpt', rcpt, '--from', from, msg], {
    timeoutMs: 30_000,
  });
  return {
    action: /Action: (.+)/.exec(r.stdout)?.[1]?.trim(),
    symbols: [...r.stdout.matchAll(/Symbol: (\w+)/g)].map((m) => m[1]),
  };
};

describe('rspamd with the rendered per-institution settings and lists', () => {
  it('the same message gets each institution’s verdict', async () => {
    expect((await scan('x@univ-a.example', 'someone@b.example')).action).toBe('reject');
    expect((await scan('x@univ-b.example', 'someone@b.example')).action).toBe('reject');
    expect((await scan('x@univ-c.example', 'someone@b.example')).action).not.toBe('reject');
  }, 60_000);

  it('A’s allow list accepts its sender for A’s domain only', async () => {
    for (const from of ['friend@partner.org', 'anyone@trusted.org']) {
      const a = await scan('x@univ-a.example', from);
      expect(a.action).toBe('no action');
      expect(a.symbols.some((s) => s?.startsWith('GUICHET_ALLOW_'))).toBe(true);
      const b = await scan('x@univ-b.example', from);
      expect(b.action).toBe('reject');
      expect(b.symbols.some((s) => s?.startsWith('GUICHET_'))).toBe(false);
    }
    // Another address of the allowed address's domain is not allowed.
    expect((await scan('x@univ-a.example', 'other@partner.org')).action).toBe('reject');
  }, 60_000);

  it('A’s deny list rejects a clean message for A only', async () => {
    for (const from of ['pest@nuisance.example', 'bulk@spammer.example']) {
      // C (platform thresholds): not rejected, and none of A's rules fire for C's domain.
      const c = await scan('x@univ-c.example', from, clean);
      expect(c.action).not.toBe('reject');
      expect(c.symbols.some((s) => s?.startsWith('GUICHET_'))).toBe(false);
      const a = await scan('x@univ-a.example', from, clean);
      expect(a.action).toBe('reject');
      expect(a.symbols.some((s) => s?.startsWith('GUICHET_DENY_'))).toBe(true);
    }
  }, 60_000);

  it('the more specific entry wins: an address over its domain', async () => {
    expect((await scan('x@univ-a.example', 'vip@spammer.example', clean)).action).toBe('no action');
    expect((await scan('x@univ-a.example', 'rogue@trusted.org', clean)).action).toBe('reject');
  }, 60_000);
});
