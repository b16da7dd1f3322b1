import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { type DnskeyRdata, dnskeyRdata, nameWire } from './ds.js';

/**
 * RRSIG verification (RFC 4034 §3.1.8.1, §6; RFC 4035 §5.3) with node:crypto, for the
 * pre-delegation check: does the key a DS points to really sign the zone's DNSKEY RRset?
 *
 * Signed data = RRSIG RDATA without the signature (signer's name in canonical form) followed by
 * every RR of the RRset in canonical form — owner name lowercased and uncompressed (the wildcard
 * form when the RRSIG's label count is smaller), type, class, the RRSIG's original TTL, RDATA
 * length, RDATA — sorted by RDATA as unsigned octet strings, duplicates removed.
 *
 * Algorithms: 5/7 RSA/SHA-1, 8 RSA/SHA-256, 10 RSA/SHA-512 (RFC 3110, 5702), 13 ECDSA P-256/SHA-256,
 * 14 ECDSA P-384/SHA-384 (RFC 6605), 15 Ed25519, 16 Ed448 (RFC 8080). Others are `unsupported`.
 */

export interface RrsigRdata {
  /** Type mnemonic, as dns-packet decodes it (`DNSKEY`). */
  typeCovered: string;
  algorithm: number;
  labels: number;
  originalTTL: number;
  expiration: number;
  inception: number;
  keyTag: number;
  signersName: string;
  signature: Buffer;
}

export type RrsigOutcome =
  | { status: 'valid' }
  | { status: 'invalid'; reason: string }
  | { status: 'unsupported'; reason: string };

/** Type codes of the RRsets we verify (only these: the canonical form of RDATA with names differs). */
const TYPE_CODES: Record<string, number> = { DNSKEY: 48, SOA: 6, NS: 2, DS: 43, CDS: 59, CDNSKEY: 60 };

interface AlgorithmSpec {
  /** Hash for node:crypto `verify`; null for EdDSA (the hash is part of the scheme). */
  hash: string | null;
  key: (raw: Buffer) => KeyObject;
  ecdsa?: boolean;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus. */
function rsaKey(raw: Buffer): KeyObject {
  let off = 1;
  let eLen = raw.readUInt8(0);
  if (eLen === 0) {
    eLen = raw.readUInt16BE(1);
    off = 3;
  }
  const e = raw.subarray(off, off + eLen);
  const n = raw.subarray(off + eLen);
  if (!e.length || !n.length) throw new Error('truncated RSA public key');
  return createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' });
}

/** RFC 6605 §4: Q = x ‖ y, each `size` octets. */
const ecKey = (crv: string, size: number) => (raw: Buffer) => {
  if (raw.length !== 2 * size) throw new Error(`${crv} public key of ${raw.length} octets, not ${2 * size}`);
  return createPublicKey({
    key: { kty: 'EC', crv, x: b64url(raw.subarray(0, size)), y: b64url(raw.subarray(size)) },
    format: 'jwk',
  });
};

/** RFC 8080 §3: the raw public key. */
const okpKey = (crv: string, size: number) => (raw: Buffer) => {
  if (raw.length !== size) throw new Error(`${crv} public key of ${raw.length} octets, not ${size}`);
  return createPublicKey({ key: { kty: 'OKP', crv, x: b64url(raw) }, format: 'jwk' });
};

const ALGORITHMS: Record<number, AlgorithmSpec> = {
  5: { hash: 'sha1', key: rsaKey },
  7: { hash: 'sha1', key: rsaKey },
  8: { hash: 'sha256', key: rsaKey },
  10: { hash: 'sha512', key: rsaKey },
  13: { hash: 'sha256', key: ecKey('P-256', 32), ecdsa: true },
  14: { hash: 'sha384', key: ecKey('P-384', 48), ecdsa: true },
  15: { hash: null, key: okpKey('Ed25519', 32) },
  16: { hash: null, key: okpKey('Ed448', 57) },
};

/** The algorithms `verifyRrsig` checks cryptographically. */
export const VERIFIED_ALGORITHMS = Object.keys(ALGORITHMS).map(Number);

const labelsOf = (name: string) => name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);

/** RFC 1982 serial arithmetic on 32-bit times: a ≤ b. */
const notAfter = (a: number, b: number) => ((b - a) | 0) >= 0;

/** The octets the signature covers (RFC 4034 §3.1.8.1), for an RRset of `rdatas` at `owner`. */
export function signedData(owner: string, rdatas: Buffer[], sig: RrsigRdata): Buffer {
  const type = TYPE_CODES[sig.typeCovered.toUpperCase()];
  if (type === undefined) throw new Error(`no canonical form known for type ${sig.typeCovered}`);
  const head = Buffer.alloc(18);
  head.writeUInt16BE(type, 0);
  head.writeUInt8(sig.algorithm, 2);
  head.writeUInt8(sig.labels, 3);
  head.writeUInt32BE(sig.originalTTL >>> 0, 4);
  head.writeUInt32BE(sig.expiration >>> 0, 8);
  head.writeUInt32BE(sig.inception >>> 0, 12);
  head.writeUInt16BE(sig.keyTag, 16);

  // RFC 4035 §5.3.2: fewer RRSIG labels than owner labels means the RRset came from a wildcard.
  const labels = labelsOf(owner);
  const ownerName =
    sig.labels < labels.length ? ['*', ...labels.slice(labels.length - sig.labels)].join('.') : owner;
  const ownerWire = nameWire(ownerName);
  const rrHead = Buffer.alloc(8);
  rrHead.writeUInt16BE(type, 0);
  rrHead.writeUInt16BE(1, 2); // class IN
  rrHead.writeUInt32BE(sig.originalTTL >>> 0, 4);

  const unique = [...new Map(rdatas.map((r) => [r.toString('hex'), r])).values()].sort(Buffer.compare);
  const rrs = unique.flatMap((rdata) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(rdata.length);
    return [ownerWire, rrHead, len, rdata];
  });
  return Buffer.concat([head, nameWire(sig.signersName), ...rrs]);
}

/**
 * Checks `sig` over the RRset `rdatas` at `owner` with `key`: key tag, algorithm and signer are
 * the caller's business (it picked the key); this checks the validity period at `now` (seconds)
 * and the signature itself.
 */
export function verifyRrsig(
  owner: string,
  rdatas: Buffer[],
  sig: RrsigRdata,
  key: DnskeyRdata,
  now = Math.floor(Date.now() / 1000),
): RrsigOutcome {
  const spec = ALGORITHMS[sig.algorithm];
  if (key.algorithm !== sig.algorithm)
    return { status: 'invalid', reason: `key of algorithm ${key.algorithm}, RRSIG of ${sig.algorithm}` };
  if (!spec) return { status: 'unsupported', reason: `algorithm ${sig.algorithm} is not verified here` };
  const t = now >>> 0;
  if (!notAfter(sig.inception >>> 0, t))
    return { status: 'invalid', reason: `not valid before ${isoTime(sig.inception)}` };
  if (!notAfter(t, sig.expiration >>> 0))
    return { status: 'invalid', reason: `expired at ${isoTime(sig.expiration)}` };
  let publicKey: KeyObject;
  try {
    publicKey = spec.key(key.key);
  } catch (e) {
    return { status: 'invalid', reason: `unusable public key (${(e as Error).message})` };
  }
  const data = signedData(owner, rdatas, sig);
  let ok: boolean;
  try {
    ok = verify(
      spec.hash,
      data,
      spec.ecdsa ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey,
      sig.signature,
    );
  } catch (e) {
    return { status: 'invalid', reason: `verification failed (${(e as Error).message})` };
  }
  return ok ? { status: 'valid' } : { status: 'invalid', reason: 'the signature does not match the RRset' };
}

/** RDATA of DNSKEY records, as `verifyRrsig` takes them. */
export const dnskeyRdatas = (keys: DnskeyRdata[]) => keys.map(dnskeyRdata);

function isoTime(serial: number): string {
  // The 32-bit time is taken in the 136-year window closest to now (RFC 4034 §3.1.5).
  const now = Math.floor(Date.now() / 1000);
  const t = now + ((serial - now) | 0);
  return new Date(t * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
