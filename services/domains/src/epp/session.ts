import type { Logger } from '@guichet/core';
import { EppConnection, type EppEndpoint } from './connection.js';
import { isSessionClosed } from './errors.js';

/**
 * The one registry session a process keeps (the job worker, or the api on the embedded
 * engine): opened on first use, kept alive with `<hello>` when idle (registries drop idle
 * sessions), reopened when lost. A command that fails because the session closed (socket lost,
 * 2500–2502) is sent once more on a new session — every caller's command is idempotent or
 * checks the registry's state first (registry.ts).
 */

export interface SessionOptions {
  /** Idle time after which a `<hello>` is sent (default 5 min; 0: never). */
  helloIntervalMs?: number;
  logger?: Logger;
}

export class EppSession {
  private conn: EppConnection | null = null;
  private opening: Promise<EppConnection> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastUse = Date.now();
  private stopped = false;
  /** How many sessions were opened (reconnects are visible in tests and metrics). */
  opened = 0;

  constructor(
    private readonly endpoint: EppEndpoint,
    private readonly opts: SessionOptions = {},
  ) {}

  private async connection(): Promise<EppConnection> {
    if (this.stopped) throw new Error('the registry session is stopped');
    if (this.conn && !this.conn.closed) return this.conn;
    this.opening ??= EppConnection.open(this.endpoint, this.opts.logger)
      .then((c) => {
        this.conn = c;
        this.opened++;
        this.keepAlive();
        return c;
      })
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  private keepAlive(): void {
    const every = this.opts.helloIntervalMs ?? 5 * 60_000;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(
      () => {
        const c = this.conn;
        if (!c || c.closed || Date.now() - this.lastUse < every) return;
        this.lastUse = Date.now();
        c.hello().catch((e) => this.opts.logger?.warn({ err: e }, 'registry keep-alive failed'));
      },
      Math.max(50, Math.floor(every / 2)),
    );
    this.timer.unref();
  }

  /** Runs `fn` on the open session; once more on a new session if that one was lost. */
  async run<T>(fn: (c: EppConnection) => Promise<T>): Promise<T> {
    this.lastUse = Date.now();
    try {
      return await fn(await this.connection());
    } catch (e) {
      if (!isSessionClosed(e) || this.stopped) throw e;
      this.opts.logger?.info({ err: e }, 'registry session lost: reconnecting');
      this.conn = null;
      return fn(await this.connection());
    } finally {
      this.lastUse = Date.now();
    }
  }

  /** Logs out and stops the keep-alive. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const c = this.conn ?? (this.opening ? await this.opening.catch(() => null) : null);
    this.conn = null;
    await c?.close();
  }
}
