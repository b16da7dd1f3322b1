import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rspamd, startRspamd } from '../test/rspamd.js';
import { renderRspamd } from './render.js';

/**
 * A real rspamd with the rendered settings scores the same message for two institutions: the one
 * that lowered its reject threshold gets `reject`, the other the platform's verdict. (The allow
 * lists are rendered and pass configtest, but a live match is not proven yet: README.)
 */

let rspamd: Rspamd;
const msg = join(mkdtempSync(join(tmpdir(), 'guichet-rspamd-msg-')), 'm.eml');

beforeAll(async () => {
  const tenants = [
    {
      id: 'a',
      domains: ['univ-a.example'],
      thresholds: { reject: 3, addHeader: 1 },
      allow: ['friend@partner.org'],
    },
    { id: 'b', domains: ['univ-b.example'] },
  ];
  const mapDir = mkdtempSync(join(tmpdir(), 'guichet-rspamd-lists-'));
  const files = renderRspamd(tenants, mapDir);
  for (const [n, c] of Object.entries(files))
    if (!n.startsWith('local.d/')) writeFileSync(join(mapDir, n), c);
  rspamd = await startRspamd(
    Object.fromEntries(Object.entries(files).filter(([n]) => n.startsWith('local.d/'))),
  );
  writeFileSync(
    msg,
    'From: someone@b.example\nTo: x@univ-a.example\nSubject: hello\n\nbuy cheap viagra now http://bit.ly/x\n',
  );
}, 60_000);
afterAll(async () => {
  await rspamd?.stop();
});

const scan = async (rcpt: string, from = 'someone@b.example') => {
  const r = await runTool('rspamc', ['-h', rspamd.address, '--rcpt', rcpt, '--from', from, msg], {
    timeoutMs: 30_000,
  });
  return /Action: (.+)/.exec(r.stdout)?.[1]?.trim();
};

describe('rspamd with the rendered per-institution settings', () => {
  it('the same message gets each institution’s verdict', async () => {
    const a = await scan('x@univ-a.example');
    const b = await scan('x@univ-b.example');
    expect(a).toBe('reject');
    expect(b).not.toBe('reject');
  }, 60_000);
});
