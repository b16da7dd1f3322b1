import { createServer as createNetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AddressObject, type HeaderValue, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for peers-tier tests (npm `smtp-server`, reference/peers.md §8):
 * no TLS, no authentication needed, a size limit, no reverse lookup of the client (the greeting
 * would otherwise show whatever /etc/hosts says). Every accepted message is parsed with
 * mailparser and kept in `messages`. `stop()` then `startSmtpSink({ port })` simulates an outage
 * of the relay and its return on the same address.
 */

export interface SinkMessage {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO), lower-cased: who the message was really delivered to. */
  to: string[];
  subject: string;
  text: string;
  /** Lower-case header names; address and date headers as text. */
  headers: Record<string, string>;
  messageId: string | undefined;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: SinkMessage[];
  /** Polls until `predicate(messages)` holds, then returns the messages; throws after `timeoutMs`. */
  waitFor(predicate: (messages: SinkMessage[]) => boolean, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Closes the listener and drops open connections. Idempotent. */
  stop(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Largest message accepted, in bytes (default 1 MiB); bigger ones get 552. */
  sizeLimit?: number;
  /** Recipients refused with 550 (a mailbox that does not exist). */
  rejectRecipients?: string[];
}

function headerText(v: HeaderValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => headerText(x as HeaderValue)).join(', ');
  if (typeof v === 'object' && v !== null) {
    if ('text' in v) return (v as AddressObject).text;
    if ('value' in v) return String((v as { value: unknown }).value);
  }
  return String(v);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const rejected = new Set((opts.rejectRecipients ?? []).map((r) => r.toLowerCase()));
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    size: opts.sizeLimit ?? 1024 * 1024,
    closeTimeout: 1000,
    logger: false,
    onRcptTo(address, _session, cb) {
      if (rejected.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error('5.1.1 User unknown'), { responseCode: 550 });
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          if (stream.sizeExceeded) {
            cb(Object.assign(new Error('5.3.4 Message too big'), { responseCode: 552 }));
            return;
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of mail.headers) headers[k.toLowerCase()] = headerText(v);
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            headers,
            messageId: mail.messageId,
          });
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  server.on('error', () => {
    // A client dropping its connection must not crash the test process.
  });
  const port = opts.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) {
          const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('\n  ');
          throw new Error(
            `SMTP sink: condition not met within ${timeoutMs} ms; ${messages.length} message(s):\n  ${seen}`,
          );
        }
        await sleep(50);
      }
      return messages;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
