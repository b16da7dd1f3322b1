import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { handleCommand } from './epp-standin-commands.js';
import type { EppState } from './epp-standin-state.js';
import { type Answer, EPP_NS, greetingXml, responseXml } from './epp-xml.js';

/**
 * A stand-in for AFNIC's EPP server (the registry cannot be reached here), speaking the real
 * wire format: TLS (a certificate made with openssl when it starts), RFC 5734 framing, the
 * greeting, login with the object and extension URIs, the commands Guichet sends with the
 * answers and result codes of RFC 5730–5733/5910/3915 and AFNIC's rules (fr-domains.md §4), and a
 * poll queue. Every frame it sends is kept (`sent`) so that tests can check it against the XSDs.
 */

const run = promisify(execFile);

export interface EppStandinOptions {
  clID?: string;
  password?: string;
  /** Names AFNIC flags as reserved (prior review) or forbidden, with the reason. */
  reserved?: Record<string, string>;
  forbidden?: Record<string, string>;
}

export interface EppStandin {
  host: string;
  port: number;
  /** PEM of the stand-in's self-signed certificate: the client's CA. */
  ca: string;
  clID: string;
  password: string;
  state: EppState;
  /** Every frame received (XML), in order. */
  received: string[];
  /** Every frame sent (XML), in order. */
  sent: string[];
  /** Sessions opened (logins that succeeded). */
  logins: number;
  /** The next command (not login/hello) gets this code instead of its answer (2400, 2502…). */
  failNext(code: number): void;
  /** Drops every open connection without a word (a network cut). */
  dropConnections(): void;
  /** Adds a message at the end of the poll queue. */
  enqueue(message: Omit<Answer, 'code' | 'msgQ'> & { msg: string }): string;
  stop(): Promise<void>;
}

async function selfSigned(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'epp-standin-'));
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=epp.standin.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    return {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) =>
    ['name', 'contact', 'hostObj', 'dsData', 'addr', 'objURI', 'extURI', 'id'].includes(name),
});

function frame(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32BE(4 + body.length, 0);
  body.copy(out, 4);
  return out;
}

export async function startEppStandin(opts: EppStandinOptions = {}): Promise<EppStandin> {
  const { key, cert } = await selfSigned();
  const clID = opts.clID ?? 'GUICHET';
  const password = opts.password ?? 'standin-pw-1';
  const sockets = new Set<TLSSocket>();
  let svCounter = 0;
  let failCode: number | null = null;
  const state: EppState = {
    clID,
    now: () => new Date(),
    contacts: new Map(),
    hosts: new Map(),
    domains: new Map(),
    reserved: new Map(Object.entries(opts.reserved ?? {})),
    forbidden: new Map(Object.entries(opts.forbidden ?? {})),
    queue: [],
    nextMsgId: 1,
  };
  const received: string[] = [];
  const sent: string[] = [];

  const standin: EppStandin = {
    host: '127.0.0.1',
    port: 0,
    ca: cert,
    clID,
    password,
    state,
    received,
    sent,
    logins: 0,
    failNext: (code) => {
      failCode = code;
    },
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    enqueue: (m) => {
      const id = String(state.nextMsgId++);
      state.queue.push({ id, qDate: state.now(), ...m });
      return id;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer({ key, cert, minVersion: 'TLSv1.2' }, (socket) => {
    sockets.add(socket);
    let loggedIn = false;
    let buf = Buffer.alloc(0);
    const send = (xml: string) => {
      sent.push(xml);
      socket.write(frame(xml));
    };
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    send(greetingXml('Stand-in AFNIC EPP server', state.now()));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4) {
        const total = buf.readUInt32BE(0);
        if (total < 5 || total > 1 << 22) {
          socket.destroy();
          return;
        }
        if (buf.length < total) return;
        const xml = buf.subarray(4, total).toString('utf8');
        buf = buf.subarray(total);
        received.push(xml);
        const epp = parser.parse(xml)?.epp;
        const svTRID = `STANDIN-${++svCounter}`;
        if (!epp) {
          send(responseXml({ code: 2001 }, undefined, svTRID));
          continue;
        }
        if (epp.hello !== undefined) {
          send(greetingXml('Stand-in AFNIC EPP server', state.now()));
          continue;
        }
        const command = epp.command ?? epp.extension?.ext?.command;
        const clTRID: string | undefined = command?.clTRID ? String(command.clTRID) : undefined;
        if (!command) {
          send(responseXml({ code: 2001 }, clTRID, svTRID));
          continue;
        }
        if (command.login) {
          const l = command.login;
          const ext: string[] = l.svcs?.svcExtension?.extURI ?? [];
          if (String(l.clID) !== clID || String(l.pw) !== password) {
            send(responseXml({ code: 2200 }, clTRID, svTRID));
          } else if (!ext.includes(EPP_NS.frnic)) {
            send(responseXml({ code: 2307, reason: 'frnic-2.0 must be in svcExtension' }, clTRID, svTRID));
          } else {
            loggedIn = true;
            standin.logins++;
            send(responseXml({ code: 1000 }, clTRID, svTRID));
          }
          continue;
        }
        if (!loggedIn) {
          send(responseXml({ code: 2002, reason: 'log in first' }, clTRID, svTRID));
          continue;
        }
        if (command.logout !== undefined) {
          send(responseXml({ code: 1500 }, clTRID, svTRID));
          socket.end();
          return;
        }
        if (failCode !== null) {
          const code = failCode;
          failCode = null;
          send(responseXml({ code }, clTRID, svTRID));
          if (code >= 2500) {
            socket.end();
            return;
          }
          continue;
        }
        const object = /xmlns:\w+="urn:ietf:params:xml:ns:(domain|host|contact)-1\.0"/.exec(xml)?.[1];
        send(responseXml(handleCommand(state, command, object), clTRID, svTRID));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  standin.port = (server.address() as AddressInfo).port;
  return standin;
}
