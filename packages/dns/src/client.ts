import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import * as packet from 'dns-packet';

/**
 * A small DNS client for the pre-delegation check: one query, one answer, over UDP or TCP, with a
 * timeout and no retries (the checker decides what a silence means). Built on dns-packet.
 */

export interface QueryOptions {
  tcp?: boolean;
  /** Add an OPT record (EDNS0, 1232-byte payload). Default true. */
  edns?: boolean;
  /** Recursion desired. Default false. */
  rd?: boolean;
  /** Set the EDNS DO flag (DNSSEC OK: RRSIGs wanted in the answer); implies EDNS. Default false. */
  dnssec?: boolean;
  timeoutMs?: number;
}

/** A resource record with data (the OPT pseudo-record is reported as `ednsPresent`). */
export type Rr = Exclude<packet.Answer, packet.OptAnswer>;

export interface DnsAnswer {
  rcode: string;
  aa: boolean;
  ra: boolean;
  tc: boolean;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
  ednsPresent: boolean;
}

export class DnsTimeout extends Error {}

const DEFAULT_TIMEOUT_MS = 2000;

export function encodeQuery(name: string, type: packet.RecordType, opts: QueryOptions, id: number): Buffer {
  return packet.encode({
    type: 'query',
    id,
    flags: opts.rd ? packet.RECURSION_DESIRED : 0,
    questions: [{ type, name, class: 'IN' }],
    additionals:
      opts.edns === false && !opts.dnssec
        ? []
        : [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              extendedRcode: 0,
              ednsVersion: 0,
              // dns-packet encodes `flags` only; `flag_do` is what it decodes into.
              flags: opts.dnssec ? packet.DNSSEC_OK : 0,
              flag_do: Boolean(opts.dnssec),
              options: [],
            },
          ],
  });
}

export function decodeAnswer(buf: Buffer): DnsAnswer {
  const p = packet.decode(buf);
  const flags = p.flags ?? 0;
  const additionals = p.additionals ?? [];
  const rrs = (list: packet.Answer[] | undefined) => (list ?? []).filter((a): a is Rr => a.type !== 'OPT');
  return {
    rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
    aa: (flags & packet.AUTHORITATIVE_ANSWER) !== 0,
    ra: (flags & packet.RECURSION_AVAILABLE) !== 0,
    tc: (flags & packet.TRUNCATED_RESPONSE) !== 0,
    answers: rrs(p.answers),
    authorities: rrs(p.authorities),
    additionals: rrs(additionals),
    ednsPresent: additionals.some((a) => a.type === 'OPT'),
  };
}

export function query(
  server: string,
  port: number,
  name: string,
  type: packet.RecordType,
  opts: QueryOptions = {},
): Promise<DnsAnswer> {
  const id = Math.floor(Math.random() * 65536);
  const msg = encodeQuery(name, type, opts, id);
  return opts.tcp
    ? queryTcp(server, port, msg, id, opts.timeoutMs)
    : queryUdp(server, port, msg, id, opts.timeoutMs);
}

function queryUdp(server: string, port: number, msg: Buffer, id: number, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return new Promise<DnsAnswer>((resolve, reject) => {
    const sock = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    const done = (f: () => void) => {
      clearTimeout(timer);
      sock.close();
      f();
    };
    const timer = setTimeout(
      () => done(() => reject(new DnsTimeout(`no UDP answer from ${server}@${port}`))),
      timeoutMs,
    );
    sock.on('error', (e) => done(() => reject(e)));
    sock.on('message', (buf) => {
      if (buf.length < 2 || buf.readUInt16BE(0) !== id) return; // not ours: keep waiting
      try {
        const a = decodeAnswer(buf);
        done(() => resolve(a));
      } catch (e) {
        done(() => reject(e));
      }
    });
    sock.send(msg, port, server, (e) => {
      if (e) done(() => reject(e));
    });
  });
}

function queryTcp(server: string, port: number, msg: Buffer, id: number, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return new Promise<DnsAnswer>((resolve, reject) => {
    const sock = new Socket();
    let buf = Buffer.alloc(0);
    const done = (f: () => void) => {
      clearTimeout(timer);
      sock.destroy();
      f();
    };
    const timer = setTimeout(
      () => done(() => reject(new DnsTimeout(`no TCP answer from ${server}@${port}`))),
      timeoutMs,
    );
    sock.on('error', (e) => done(() => reject(e)));
    sock.on('close', () =>
      done(() => reject(new Error(`TCP connection to ${server}@${port} closed without an answer`))),
    );
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      const body = buf.subarray(2, 2 + len);
      try {
        if (body.readUInt16BE(0) !== id) throw new Error(`TCP answer from ${server}@${port} with a wrong id`);
        const a = decodeAnswer(body);
        done(() => resolve(a));
      } catch (e) {
        done(() => reject(e));
      }
    });
    sock.connect(port, server, () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
  });
}
