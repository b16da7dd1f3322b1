import { runTool } from '@guichet/core';

/**
 * The rspamd client (`rspamc`) for reported messages: a scan for the NOC's ticket (score,
 * action, symbols) and the learning of a confirmed report. The message goes on stdin: it is
 * never written to a file outside the database.
 */

export interface Scan {
  score: number;
  action: string;
  symbols: { name: string; score: number }[];
}

export async function scanMessage(
  worker: string,
  message: string,
  envelope: { from?: string | null; rcpt?: string | null } = {},
): Promise<Scan> {
  const args = ['-h', worker, '-j', 'symbols'];
  if (envelope.from) args.push('--from', envelope.from);
  if (envelope.rcpt) args.push('--rcpt', envelope.rcpt);
  const r = await runTool('rspamc', args, { timeoutMs: 30_000, input: message });
  if (r.code !== 0)
    throw new Error(`rspamc symbols exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  const j = JSON.parse(r.stdout) as {
    score?: number;
    action?: string;
    error?: string;
    symbols?: Record<string, { name: string; score: number }>;
  };
  if (j.error || typeof j.score !== 'number')
    throw new Error(`rspamd did not scan the message: ${j.error ?? r.stdout.slice(0, 200)}`);
  const symbols = Object.values(j.symbols ?? {})
    .map((s) => ({ name: s.name, score: s.score }))
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || a.name.localeCompare(b.name));
  return { score: j.score, action: j.action ?? 'unknown', symbols };
}

/**
 * `rspamc learn_ham` / `learn_spam` against the controller. A message already learned in that
 * class is success (a retry of the step must not fail on its own first attempt).
 */
export async function learnMessage(controller: string, message: string, as: 'ham' | 'spam'): Promise<string> {
  const r = await runTool('rspamc', ['-h', controller, `learn_${as}`], { timeoutMs: 60_000, input: message });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.code === 0 && /success = true/.test(out)) return 'learned';
  if (/already learned|already in class/i.test(out)) return 'already learned';
  throw new Error(`rspamc learn_${as}: ${out.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
}
