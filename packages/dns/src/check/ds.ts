import { createHash } from 'node:crypto';

/** DS computation (RFC 4034 §5.1.4): digest = H(canonical owner name wire format ‖ DNSKEY RDATA). */

export interface DnskeyRdata {
  flags: number;
  /** Always 3 for DNSSEC (RFC 4034 §2.1.2). */
  protocol?: number;
  algorithm: number;
  key: Buffer;
}

/** Digest types a delegation may carry: 2 (SHA-256) and 4 (SHA-384) only. */
export const DS_DIGESTS: Record<number, string> = { 2: 'sha256', 4: 'sha384' };

export function nameWire(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function dnskeyRdata(k: DnskeyRdata): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(k.flags, 0);
  head.writeUInt8(k.protocol ?? 3, 2);
  head.writeUInt8(k.algorithm, 3);
  return Buffer.concat([head, k.key]);
}

/** RFC 4034 Appendix B (algorithm 1 excepted, which no one may use any more). */
export function keyTag(k: DnskeyRdata): number {
  const rdata = dnskeyRdata(k);
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata.readUInt8(i) : rdata.readUInt8(i) << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

/** The DS digest (hex, lowercase) of a DNSKEY, or undefined for a digest type we do not accept. */
export function dsDigest(owner: string, k: DnskeyRdata, digestType: number): string | undefined {
  const alg = DS_DIGESTS[digestType];
  if (!alg) return undefined;
  return createHash(alg).update(nameWire(owner)).update(dnskeyRdata(k)).digest('hex');
}
