import { Socket } from 'node:net';
import { type Finding, hopText, type NextHop } from '../model.js';

/**
 * The next-hop self-test: a plain SMTP dialogue with the institution's mail server (banner, EHLO,
 * whether STARTTLS is offered, then MAIL FROM and RCPT TO the unknown test address, which must be
 * refused with 5xx — otherwise the gateway would accept mail it then bounces). QUIT before DATA:
 * no message is ever sent. Every outcome is a finding; nothing throws.
 */

interface Reply {
  code: number;
  lines: string[];
}

class Dialogue {
  private buf = '';
  private waiting: ((r: Reply | Error) => void) | null = null;
  private failed: Error | null = null;
  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.flush();
    });
    const fail = (e: Error) => {
      this.failed = e;
      this.waiting?.(e);
      this.waiting = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }
  private flush() {
    // A reply ends with a line `NNN text` (a space, not a dash, after the code).
    const lines = this.buf.split('\r\n');
    const end = lines.findIndex((l) => /^\d{3}( |$)/.test(l));
    if (end < 0 || !this.waiting) return;
    const reply = lines.slice(0, end + 1);
    this.buf = lines.slice(end + 1).join('\r\n');
    const w = this.waiting;
    this.waiting = null;
    w({ code: Number(reply[end]?.slice(0, 3)), lines: reply.map((l) => l.slice(4)) });
  }
  read(): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
      this.flush();
    });
  }
  send(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.read();
  }
}

const since = (t0: number) => Math.round(performance.now() - t0);

export async function nextHopSelfTest(
  hop: NextHop,
  unknown: string,
  timeoutMs: number,
  helo = 'antispam-selftest.guichet.invalid',
): Promise<Finding[]> {
  const target = hopText(hop);
  const findings: Finding[] = [];
  const socket = new Socket();
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
  const talk = new Dialogue(socket);
  let t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
      socket.connect(hop.port, hop.host);
    });
    const banner = await talk.read();
    if (banner.code !== 220) {
      findings.push({
        check: 'smtp.connect',
        level: 'error',
        target,
        message: `banner ${banner.code} ${banner.lines.join(' ')}`,
        ms: since(t0),
      });
      return findings;
    }
    findings.push({
      check: 'smtp.connect',
      level: 'ok',
      target,
      message: `banner: 220 ${banner.lines[0]?.slice(0, 200) ?? ''}`,
      ms: since(t0),
    });
    t0 = performance.now();
    const ehlo = await talk.send(`EHLO ${helo}`);
    const tls = ehlo.code === 250 && ehlo.lines.some((l) => /^STARTTLS\b/i.test(l));
    findings.push({
      check: 'smtp.starttls',
      level: tls ? 'ok' : 'warning',
      target,
      message: tls ? 'STARTTLS offered' : 'STARTTLS not offered: mail from the gateway would travel in clear',
      ms: since(t0),
    });
    t0 = performance.now();
    const from = await talk.send('MAIL FROM:<>');
    if (from.code !== 250) {
      findings.push({
        check: 'smtp.rcpt',
        level: 'error',
        target,
        message: `MAIL FROM:<> refused: ${from.code} ${from.lines.join(' ')}`,
        ms: since(t0),
      });
      return findings;
    }
    const rcpt = await talk.send(`RCPT TO:<${unknown}>`);
    const refused = rcpt.code >= 500 && rcpt.code < 600;
    findings.push({
      check: 'smtp.rcpt',
      level: refused ? 'ok' : 'error',
      target: unknown,
      message: refused
        ? `unknown recipient refused at RCPT: ${rcpt.code} ${rcpt.lines.join(' ').slice(0, 200)}`
        : `unknown recipient not refused at RCPT (${rcpt.code} ${rcpt.lines.join(' ').slice(0, 200)}): the server must reject unknown users with 5xx`,
      ms: since(t0),
    });
    await talk.send('QUIT').catch(() => undefined);
  } catch (e) {
    findings.push({
      check: findings.length ? 'smtp.dialogue' : 'smtp.connect',
      level: 'error',
      target,
      message: `${findings.length ? 'dialogue failed' : 'unreachable'}: ${(e as Error).message}`,
      ms: since(t0),
    });
  } finally {
    socket.destroy();
  }
  return findings;
}
