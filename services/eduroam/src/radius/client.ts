import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  type Attributes,
  type CodeName,
  checkResponse,
  decodePacket,
  encodeRequest,
  type Packet,
  type ResponseCheck,
} from './packet.js';

/**
 * A RADIUS client over UDP: one socket per address family shared by every exchange (a probe
 * round over a thousand servers opens two sockets, not a thousand), identifiers allocated per
 * destination, retransmission of the same packet (same identifier and authenticator, as RFC
 * 2865 §2.5 wants), a deadline per attempt, and the reply checked against the secret before it
 * counts. A reply that fails the check is dropped, as a server drops a request with a bad
 * Message-Authenticator: a wrong secret and a dead server both end in a timeout.
 */

export interface ExchangeOptions {
  host: string;
  port: number;
  secret: string;
  code: CodeName;
  attributes?: Attributes;
  /** Default true. */
  messageAuthenticator?: boolean;
  /** Per attempt (default 2000 ms). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
}

export interface Exchange {
  reply: Packet;
  check: ResponseCheck;
  /** From the last send to the reply, in ms. */
  rttMs: number;
  attempts: number;
}

export class RadiusTimeout extends Error {
  override name = 'RadiusTimeout';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly attempts: number,
  ) {
    super(`no valid reply from ${host}:${port} after ${attempts} attempt${attempts > 1 ? 's' : ''}`);
  }
}

interface Pending {
  authenticator: Buffer;
  secret: string;
  resolve: (v: { buf: Buffer; at: number; check: ResponseCheck }) => void;
}

export interface RadiusClientOptions {
  /** Source address for IPv4 (the proxy's address, which institution servers accept as a client). */
  bind4?: string;
  bind6?: string;
}

export class RadiusClient {
  private sockets = new Map<'udp4' | 'udp6', Promise<Socket>>();
  private pending = new Map<string, Pending>();
  private nextId = new Map<string, number>();

  constructor(private readonly opts: RadiusClientOptions = {}) {}

  private socket(family: 'udp4' | 'udp6'): Promise<Socket> {
    let s = this.sockets.get(family);
    if (!s) {
      s = new Promise<Socket>((resolve, reject) => {
        const sock = createSocket(family);
        sock.on('message', (buf, rinfo) => this.onMessage(buf, rinfo.address, rinfo.port));
        sock.once('error', reject);
        const address = family === 'udp4' ? this.opts.bind4 : this.opts.bind6;
        sock.bind({ port: 0, ...(address ? { address } : {}) }, () => {
          sock.removeListener('error', reject);
          sock.on('error', () => {}); // ICMP unreachable and the like: the exchange times out
          sock.unref();
          resolve(sock);
        });
      });
      this.sockets.set(family, s);
    }
    return s;
  }

  private onMessage(buf: Buffer, address: string, port: number): void {
    if (buf.length < 20) return;
    const key = `${address}|${port}|${buf[1]}`;
    const p = this.pending.get(key);
    if (!p) return;
    let check: ResponseCheck;
    try {
      decodePacket(buf);
      check = checkResponse(buf, p.authenticator, p.secret);
    } catch {
      return;
    }
    if (!check.authentic || check.messageAuthenticator === 'invalid') return;
    p.resolve({ buf, at: performance.now(), check });
  }

  /** A free identifier for this destination (256 in flight per server at most). */
  private allocate(dest: string): number {
    const start = this.nextId.get(dest) ?? Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const id = (start + i) % 256;
      if (!this.pending.has(`${dest}|${id}`)) {
        this.nextId.set(dest, (id + 1) % 256);
        return id;
      }
    }
    throw new Error(`256 RADIUS requests already in flight to ${dest}`);
  }

  async exchange(o: ExchangeOptions): Promise<Exchange> {
    const family = isIPv6(o.host) ? 'udp6' : 'udp4';
    const sock = await this.socket(family);
    const dest = `${o.host}|${o.port}`;
    const identifier = this.allocate(dest);
    const packet = encodeRequest({
      code: o.code,
      identifier,
      secret: o.secret,
      ...(o.attributes ? { attributes: o.attributes } : {}),
      ...(o.messageAuthenticator === undefined ? {} : { messageAuthenticator: o.messageAuthenticator }),
    });
    const authenticator = Buffer.from(packet.subarray(4, 20));
    const key = `${dest}|${identifier}`;
    const timeoutMs = o.timeoutMs ?? 2000;
    const attempts = o.attempts ?? 3;
    let settle!: (v: { buf: Buffer; at: number; check: ResponseCheck } | null) => void;
    const answered = new Promise<{ buf: Buffer; at: number; check: ResponseCheck } | null>((r) => {
      settle = r;
    });
    this.pending.set(key, { authenticator, secret: o.secret, resolve: (v) => settle(v) });
    try {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const sent = performance.now();
        sock.send(packet, o.port, o.host);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), timeoutMs);
        });
        const got = await Promise.race([answered, timeout]);
        clearTimeout(timer);
        if (got && got !== 'timeout') {
          return { reply: decodePacket(got.buf), check: got.check, rttMs: got.at - sent, attempts: attempt };
        }
      }
      throw new RadiusTimeout(o.host, o.port, attempts);
    } finally {
      this.pending.delete(key);
    }
  }

  close(): void {
    for (const s of this.sockets.values()) void s.then((sock) => sock.close()).catch(() => {});
    this.sockets.clear();
  }
}

/** The worst time an exchange can take: every attempt timing out. */
export const exchangeBoundMs = (o: Pick<ExchangeOptions, 'timeoutMs' | 'attempts'>): number =>
  (o.timeoutMs ?? 2000) * (o.attempts ?? 3);
