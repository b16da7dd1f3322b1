/**
 * RFC 5734 §4 framing: every EPP message on the TCP (TLS) stream is preceded by a 4-byte
 * big-endian total length that INCLUDES those 4 bytes. Pure: bytes in, whole messages out.
 */

/** Largest frame accepted (a registry answer is a few kB; a poll message at most tens of kB). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

const HEADER = 4;

export function encodeFrame(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(HEADER + body.length, 0);
  body.copy(out, HEADER);
  return out;
}

export class FrameError extends Error {
  override name = 'FrameError';
}

/** Accumulates stream chunks and hands back each complete message, in order. */
export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Adds a chunk; returns the messages it completed (often none, sometimes several). */
  push(chunk: Buffer): string[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const out: string[] = [];
    for (;;) {
      if (this.size < HEADER) return out;
      const head = this.peek(HEADER);
      const total = head.readUInt32BE(0);
      if (total < HEADER + 1) throw new FrameError(`frame length ${total} is shorter than its header`);
      if (total > this.maxBytes) throw new FrameError(`frame of ${total} bytes exceeds ${this.maxBytes}`);
      if (this.size < total) return out;
      const all = Buffer.concat(this.buffered, this.size);
      out.push(all.subarray(HEADER, total).toString('utf8'));
      const rest = all.subarray(total);
      this.buffered = rest.length ? [rest] : [];
      this.size = rest.length;
    }
  }

  private peek(n: number): Buffer {
    const first = this.buffered[0];
    if (first && first.length >= n) return first;
    const all = Buffer.concat(this.buffered, this.size);
    this.buffered = [all];
    return all;
  }
}
