import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * DNSSEC material for DNS fixtures, computed by BIND's tools rather than by the code under test:
 * a fresh Ed25519 KSK as a zone-file line (the zone stays unsigned), the DS `dnssec-dsfromkey`
 * derives from a zone, and a zone signed by `dnssec-signzone` with its DS.
 */

/** `@ IN DNSKEY 257 3 15 <key>`: a new Ed25519 key-signing key (the zone itself stays unsigned). */
export function testDnskeyLine(): string {
  const x = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
  return `@ IN DNSKEY 257 3 15 ${Buffer.from(x, 'base64url').toString('base64')}`;
}

export interface DsParts {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** Upper-case hex, as dnssec-dsfromkey prints it. */
  digest: string;
}

// stderr piped: BIND's tools chat there (-a SHA-1: "DS digest type 0 is deprecated"), and
// execFileSync puts it in the error when they fail.
const bind = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** The DS of the KSK in `zoneText`, by `dnssec-dsfromkey -a <digest>` (SHA-1, SHA-256, SHA-384). */
export function dsFromKey(
  zone: string,
  zoneText: string,
  digest: 'SHA-1' | 'SHA-256' | 'SHA-384' = 'SHA-256',
): DsParts {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-ds-'));
  try {
    writeFileSync(join(dir, 'zone'), zoneText.endsWith('\n') ? zoneText : `${zoneText}\n`);
    const out = bind('dnssec-dsfromkey', ['-a', digest, '-f', join(dir, 'zone'), zone]);
    const [tag, alg, type, hex] = out.trim().split(/\s+/).slice(-4);
    return { keyTag: Number(tag), algorithm: Number(alg), digestType: Number(type), digest: String(hex) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SignedZone {
  /** The signed zone file (DNSKEY, RRSIGs, NSECs): served as is, Knot does not re-sign it. */
  text: string;
  /** DS of the key, SHA-256 (digest type 2) and SHA-384 (4), by dnssec-dsfromkey. */
  ds: DsParts;
  ds384: DsParts;
  keyTag: number;
}

export type SigningAlgorithm = 'ECDSAP256SHA256' | 'ED25519' | 'RSASHA256';

/**
 * Signs `text` (zone `zone`, no DNSKEY of its own) with one new key, by BIND's `dnssec-keygen`
 * (`-f KSK`: flags 257) and `dnssec-signzone` (`-z`: that key signs everything, a CSK; `-d`: no
 * dsset- file in the cwd). ECDSA P-256 by default. Keys and files live in a temp dir removed
 * before returning.
 */
export function signZone(
  zone: string,
  text: string,
  opts: { algorithm?: SigningAlgorithm } = {},
): SignedZone {
  const name = zone.replace(/\.$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'guichet-sign-'));
  try {
    const algorithm = opts.algorithm ?? 'ECDSAP256SHA256';
    const size = algorithm === 'RSASHA256' ? ['-b', '2048'] : [];
    const base = join(
      dir,
      bind('dnssec-keygen', ['-q', '-a', algorithm, ...size, '-f', 'KSK', '-K', dir, name]).trim(),
    );
    const unsigned = join(dir, 'unsigned');
    const signed = join(dir, 'signed');
    writeFileSync(unsigned, text.endsWith('\n') ? text : `${text}\n`);
    // -S: the keys in -K, their DNSKEY added to the zone; -o: origin; -f: output file.
    bind('dnssec-signzone', ['-q', '-S', '-z', '-K', dir, '-d', dir, '-o', name, '-f', signed, unsigned]);
    const ds = (digest: 'SHA-256' | 'SHA-384'): DsParts => {
      const [tag, alg, type, hex] = bind('dnssec-dsfromkey', ['-a', digest, `${base}.key`])
        .trim()
        .split(/\s+/)
        .slice(-4);
      return { keyTag: Number(tag), algorithm: Number(alg), digestType: Number(type), digest: String(hex) };
    };
    const ds256 = ds('SHA-256');
    return { text: readFileSync(signed, 'utf8'), ds: ds256, ds384: ds('SHA-384'), keyTag: ds256.keyTag };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
