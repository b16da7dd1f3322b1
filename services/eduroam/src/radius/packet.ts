import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';

/**
 * RADIUS framing on node:crypto (RFC 2865 packets and User-Password, RFC 2866 accounting
 * authenticators, RFC 3579 §3.2 Message-Authenticator, RFC 5997 Status-Server). Written here
 * rather than taken from npm `radius@1.1.4`: that library's `verify_response` rejects
 * FreeRADIUS 3.2.1's Status-Server reply (retailnext/node-radius #55, fix unmerged), uses the
 * deprecated `new Buffer()` (DEP0005 on Node 20) and has no socket, retry or timeout handling —
 * we would keep only its attribute table for the eight attributes below.
 */

export const CODES = {
  'Access-Request': 1,
  'Access-Accept': 2,
  'Access-Reject': 3,
  'Accounting-Request': 4,
  'Accounting-Response': 5,
  'Access-Challenge': 11,
  'Status-Server': 12,
} as const;
export type CodeName = keyof typeof CODES;
const CODE_NAMES = new Map<number, CodeName>(Object.entries(CODES).map(([k, v]) => [v, k as CodeName]));

export const ATTRIBUTES = {
  'User-Name': { type: 1, kind: 'string' },
  'User-Password': { type: 2, kind: 'password' },
  'NAS-IP-Address': { type: 4, kind: 'ipv4' },
  'Reply-Message': { type: 18, kind: 'string' },
  'Acct-Status-Type': { type: 40, kind: 'integer' },
  'Acct-Session-Id': { type: 44, kind: 'string' },
  'Calling-Station-Id': { type: 31, kind: 'string' },
  'NAS-Identifier': { type: 32, kind: 'string' },
  'EAP-Message': { type: 79, kind: 'octets' },
  'Message-Authenticator': { type: 80, kind: 'octets' },
  'Chargeable-User-Identity': { type: 89, kind: 'octets' },
  'Operator-Name': { type: 126, kind: 'string' },
} as const;
export type AttributeName = keyof typeof ATTRIBUTES;
const BY_TYPE = new Map<number, AttributeName>(
  Object.entries(ATTRIBUTES).map(([k, v]) => [v.type, k as AttributeName]),
);
const MESSAGE_AUTHENTICATOR = ATTRIBUTES['Message-Authenticator'].type;

export type AttributeValue = string | number | Buffer;
export type Attributes = Partial<Record<AttributeName, AttributeValue>>;

export interface Packet {
  code: CodeName | number;
  identifier: number;
  authenticator: Buffer;
  /** Attributes in wire order (a name may repeat, e.g. EAP-Message). */
  attributes: { type: number; name: AttributeName | undefined; value: Buffer }[];
}

const md5 = (...parts: Buffer[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 2865 §5.2: the password XORed with MD5(secret + previous block), in 16-byte blocks. */
export function hidePassword(password: string, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  const p = Buffer.from(password, 'utf8');
  if (p.length > 128) throw new Error('User-Password longer than 128 bytes');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
  p.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev = requestAuthenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = (padded[i + j] as number) ^ (b[j] as number);
    prev = out.subarray(i, i + 16);
  }
  return out;
}

function encodeValue(name: AttributeName, value: AttributeValue, secret: Buffer, auth: Buffer): Buffer {
  const { kind } = ATTRIBUTES[name];
  if (Buffer.isBuffer(value)) return value;
  switch (kind) {
    case 'password':
      return hidePassword(String(value), secret, auth);
    case 'ipv4': {
      if (!isIPv4(String(value))) throw new Error(`${name}: not an IPv4 address`);
      return Buffer.from(String(value).split('.').map(Number));
    }
    case 'integer': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(Number(value));
      return b;
    }
    default:
      return Buffer.from(String(value), 'utf8');
  }
}

export interface EncodeOptions {
  code: CodeName;
  identifier: number;
  secret: string;
  attributes?: Attributes;
  /** Add Message-Authenticator (default: yes — FreeRADIUS clients here require it, BlastRADIUS). */
  messageAuthenticator?: boolean;
  /** Fixed request authenticator (tests); random otherwise. */
  authenticator?: Buffer;
}

/**
 * Encodes a request. Access-Request and Status-Server carry a random authenticator;
 * Accounting-Request the MD5 one of RFC 2866. Message-Authenticator is the HMAC-MD5 of the
 * whole packet with its own value zeroed (RFC 3579 §3.2), placed first so a proxy sees it early.
 */
export function encodeRequest(o: EncodeOptions): Buffer {
  const secret = Buffer.from(o.secret, 'utf8');
  const accounting = o.code === 'Accounting-Request';
  const auth = accounting ? Buffer.alloc(16) : (o.authenticator ?? randomBytes(16));
  const attrs: Buffer[] = [];
  const withMa = o.messageAuthenticator ?? true;
  if (withMa) attrs.push(Buffer.from([MESSAGE_AUTHENTICATOR, 18, ...Buffer.alloc(16)]));
  for (const [name, value] of Object.entries(o.attributes ?? {}) as [AttributeName, AttributeValue][]) {
    if (value === undefined || name === 'Message-Authenticator') continue;
    const v = encodeValue(name, value, secret, auth);
    if (v.length > 253) throw new Error(`${name}: value longer than 253 bytes`);
    attrs.push(Buffer.concat([Buffer.from([ATTRIBUTES[name].type, v.length + 2]), v]));
  }
  const body = Buffer.concat(attrs);
  const length = 20 + body.length;
  if (length > 4096) throw new Error('RADIUS packet longer than 4096 bytes');
  const header = Buffer.alloc(4);
  header[0] = CODES[o.code];
  header[1] = o.identifier & 0xff;
  header.writeUInt16BE(length, 2);
  const packet = Buffer.concat([header, auth, body]);
  if (withMa) {
    // The MA is the first attribute: value at offset 22.
    createHmac('md5', secret).update(packet).digest().copy(packet, 22);
  }
  if (accounting) md5(packet, secret).copy(packet, 4);
  return packet;
}

/** Decodes a packet's header and attributes; throws on a malformed one. */
export function decodePacket(buf: Buffer): Packet {
  if (buf.length < 20) throw new Error('RADIUS packet shorter than 20 bytes');
  const length = buf.readUInt16BE(2);
  if (length < 20 || length > buf.length || length > 4096) throw new Error('RADIUS length field is wrong');
  const attributes: Packet['attributes'] = [];
  for (let i = 20; i < length; ) {
    const type = buf[i] as number;
    const len = buf[i + 1] as number;
    if (len < 2 || i + len > length) throw new Error('RADIUS attribute overruns the packet');
    attributes.push({ type, name: BY_TYPE.get(type), value: Buffer.from(buf.subarray(i + 2, i + len)) });
    i += len;
  }
  const code = buf[0] as number;
  return {
    code: CODE_NAMES.get(code) ?? code,
    identifier: buf[1] as number,
    authenticator: Buffer.from(buf.subarray(4, 20)),
    attributes,
  };
}

export interface ResponseCheck {
  /** The Response Authenticator matches MD5(code|id|len|request auth|attributes|secret). */
  authentic: boolean;
  /** Message-Authenticator in the reply: absent, valid, or invalid. */
  messageAuthenticator: 'absent' | 'valid' | 'invalid';
}

/**
 * Checks a reply against the request's authenticator and the secret. FreeRADIUS 3.2.1 answers
 * Status-Server without a Message-Authenticator (only 3.2.5+ adds one): absence is reported,
 * not refused; a present one must be valid.
 */
export function checkResponse(reply: Buffer, requestAuthenticator: Buffer, secret: string): ResponseCheck {
  const s = Buffer.from(secret, 'utf8');
  const length = reply.readUInt16BE(2);
  const pkt = Buffer.from(reply.subarray(0, length));
  const expected = md5(pkt.subarray(0, 4), requestAuthenticator, pkt.subarray(20), s);
  const authentic = timingSafeEqual(expected, pkt.subarray(4, 20));
  let messageAuthenticator: ResponseCheck['messageAuthenticator'] = 'absent';
  for (let i = 20; i < length; ) {
    const type = pkt[i] as number;
    const len = pkt[i + 1] as number;
    if (len < 2) break;
    if (type === MESSAGE_AUTHENTICATOR && len === 18) {
      const got = Buffer.from(pkt.subarray(i + 2, i + 18));
      const copy = Buffer.from(pkt);
      requestAuthenticator.copy(copy, 4);
      copy.fill(0, i + 2, i + 18);
      const want = createHmac('md5', s).update(copy).digest();
      messageAuthenticator = timingSafeEqual(got, want) ? 'valid' : 'invalid';
    }
    i += len;
  }
  return { authentic, messageAuthenticator };
}

/** An attribute's value as text (strings), or hex (octets). */
export function attributeText(p: Packet, name: AttributeName): string | undefined {
  const a = p.attributes.find((x) => x.name === name);
  if (!a) return undefined;
  return ATTRIBUTES[name].kind === 'octets' ? a.value.toString('hex') : a.value.toString('utf8');
}
