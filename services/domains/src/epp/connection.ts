import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { Logger } from '@guichet/core';
import * as cmd from './commands.js';
import { errorFor, RegistryUnavailable } from './errors.js';
import { encodeFrame, FrameReader } from './frame.js';
import { type EppResponse, type Greeting, parseEpp } from './responses.js';

/**
 * One EPP session over TLS (RFC 5734): connect, read the greeting, log in with the object and
 * extension URIs, then one command at a time (EPP answers in order; a second command waits for
 * the first's answer), `<logout>` at the end. A lost socket fails the command in flight and every
 * later one with `RegistryUnavailable(sessionClosed)`; the session layer (session.ts) reconnects.
 */

export interface EppEndpoint {
  host: string;
  port: number;
  clID: string;
  /** Never logged, never in an error message. */
  password: string;
  /** CA bundle (PEM) the server's certificate must chain to; default: the system's. */
  ca?: string;
  /** The registrar's client certificate and key (PEM), when the registry asks for one. */
  cert?: string;
  key?: string;
  /** TLS server name (default: host). */
  servername?: string;
  /** Per-command answer timeout (default 30 s). */
  timeoutMs?: number;
}

interface Pending {
  resolve: (xml: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

let counter = 0;
/** A unique client transaction id (RFC 5730 clTRID: 3–64 characters). */
export function newClTRID(): string {
  counter = (counter + 1) % 1_000_000;
  return `GCH-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${counter}`;
}

export class EppConnection {
  private readonly reader = new FrameReader();
  private waiting: Pending[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private lost: Error | null = null;
  greeting: Greeting | null = null;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly endpoint: EppEndpoint,
    private readonly logger?: Logger,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let frames: string[];
      try {
        frames = this.reader.push(chunk);
      } catch (e) {
        this.fail(e as Error);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        const p = this.waiting.shift();
        if (!p) continue; // unsolicited: EPP servers send nothing unasked after the greeting
        clearTimeout(p.timer);
        p.resolve(f);
      }
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Opens TLS, reads the greeting and logs in. */
  static async open(endpoint: EppEndpoint, logger?: Logger): Promise<EppConnection> {
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({
        host: endpoint.host,
        port: endpoint.port,
        // SNI carries host names only (RFC 6066): none for an address.
        ...(endpoint.servername || !isIP(endpoint.host)
          ? { servername: endpoint.servername ?? endpoint.host }
          : {}),
        ...(endpoint.ca ? { ca: endpoint.ca } : {}),
        ...(endpoint.cert ? { cert: endpoint.cert } : {}),
        ...(endpoint.key ? { key: endpoint.key } : {}),
        minVersion: 'TLSv1.2',
      });
      const onError = (e: Error) =>
        reject(new RegistryUnavailable(`cannot reach the registry: ${e.message}`, undefined, true));
      s.once('error', onError);
      s.once('secureConnect', () => {
        s.off('error', onError);
        resolve(s);
      });
    });
    const conn = new EppConnection(socket, endpoint, logger);
    const greeting = parseEpp(await conn.expect());
    if (!('greeting' in greeting)) {
      socket.destroy();
      throw new RegistryUnavailable('the registry did not greet');
    }
    conn.greeting = greeting.greeting;
    await conn.command(cmd.login(newClTRID(), { clID: endpoint.clID, pw: endpoint.password }), 'login');
    return conn;
  }

  get closed(): boolean {
    return this.lost !== null;
  }

  private fail(e: Error): void {
    if (!this.lost) {
      this.lost = new RegistryUnavailable(`the registry session was lost: ${e.message}`, undefined, true);
    }
    for (const p of this.waiting.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.lost);
    }
  }

  /** Waits for the next frame (the greeting, or the answer to what was just written). */
  private expect(): Promise<string> {
    if (this.lost) return Promise.reject(this.lost);
    const ms = this.endpoint.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new RegistryUnavailable(`the registry did not answer within ${ms} ms`, undefined, true));
        this.socket.destroy();
      }, ms);
      this.waiting.push({ resolve, reject, timer });
    });
  }

  /** Writes one frame and reads its answer, after every earlier command has had its own. */
  private exchange(xml: string): Promise<string> {
    const run = async () => {
      if (this.lost) throw this.lost;
      const answer = this.expect();
      this.socket.write(encodeFrame(xml));
      return answer;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Sends a command; resolves with the response when its code is below 2000, throws the typed
   * error of errors.ts otherwise. `what` names the command (and the object for a 2303).
   */
  async command(xml: string, what: string): Promise<EppResponse> {
    const started = Date.now();
    const parsed = parseEpp(await this.exchange(xml));
    if (!('response' in parsed))
      throw new RegistryUnavailable(`the registry answered ${what} with a greeting`);
    const res = parsed.response;
    this.logger?.debug(
      { epp: what, code: res.code, svTRID: res.svTRID, ms: Date.now() - started },
      'epp command',
    );
    if (res.code >= 2000)
      throw errorFor(res.results[0] ?? { code: res.code, message: '', details: [] }, what);
    return res;
  }

  /** `<hello>` (keep-alive): the server answers with a fresh greeting. */
  async hello(): Promise<Greeting> {
    const parsed = parseEpp(await this.exchange(cmd.hello()));
    if (!('greeting' in parsed))
      throw new RegistryUnavailable('the registry answered <hello> without a greeting');
    return parsed.greeting;
  }

  /** Logs out (1500) and closes; a lost session just closes. */
  async close(): Promise<void> {
    if (!this.lost) {
      try {
        await this.command(cmd.logout(newClTRID()), 'logout');
      } catch {
        // closing anyway
      }
    }
    this.lost ??= new RegistryUnavailable('the registry session is closed', undefined, true);
    this.socket.end();
    this.socket.destroy();
  }
}
