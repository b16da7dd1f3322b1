import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (RADIUS shared secrets, bind passwords, registry credentials): AES-256-GCM
 * under the operator's SECRETS_KEY (32 bytes, given as 64 hex digits or base64). A sealed value
 * is `v1.<iv>.<tag>.<ciphertext>` (base64url): a fresh 96-bit IV per seal, the 128-bit tag
 * authenticates both the ciphertext and an optional context (`aad`, e.g. the row id), so a
 * sealed value copied onto another row does not open there.
 */

export interface SecretsKey {
  /** Never printed: JSON.stringify and inspection of the key show this instead. */
  readonly kind: 'secrets-key';
  readonly bytes: Buffer;
}

const KEY_LENGTH = 32;

/** Parses SECRETS_KEY (64 hex digits, or base64/base64url of 32 bytes). Throws with a reason. */
export function secretsKey(text: string): SecretsKey {
  const t = text.trim();
  let bytes: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(t)) bytes = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t))
    bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  else throw new Error('SECRETS_KEY must be 32 bytes: 64 hex digits or 44 base64 characters');
  if (bytes.length !== KEY_LENGTH) throw new Error('SECRETS_KEY must be 32 bytes');
  const key = { kind: 'secrets-key' as const, bytes };
  Object.defineProperty(key, 'bytes', { enumerable: false });
  return Object.freeze(key);
}

/** A new random key, in the hex form SECRETS_KEY takes (for `openssl rand -hex 32` users and tests). */
export function newSecretsKeyText(): string {
  return randomBytes(KEY_LENGTH).toString('hex');
}

const b64 = (b: Buffer) => b.toString('base64url');

export function sealSecret(key: SecretsKey, plaintext: string, aad = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ct)}`;
}

/** Opens a sealed value; a wrong key, a wrong `aad` or a tampered value throws (never garbage). */
export function openSecret(key: SecretsKey, sealed: string, aad = ''): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new Error('not a sealed secret');
  const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== 12 || tag.length !== 16) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('the sealed secret does not open with this key (wrong key, context or tampered value)');
  }
}

/**
 * A keyed fingerprint (HMAC-SHA256 under a key derived from SECRETS_KEY): lets the database hold
 * "no two secrets alike" in a unique index without ever holding a secret in the clear.
 */
export function secretFingerprint(key: SecretsKey, plaintext: string): string {
  const derived = createHmac('sha256', key.bytes).update('guichet:secret-fingerprint:v1').digest();
  return createHmac('sha256', derived).update(plaintext, 'utf8').digest('hex');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random secret of `length` characters from [A-Za-z0-9] (≈ 5.95 bits each: 48 characters are
 * ≈ 285 bits), drawn by rejection sampling so every character is equally likely. No quote,
 * backslash or space: the value goes into configuration files without escaping.
 */
export function randomSecret(length = 48): string {
  if (!Number.isInteger(length) || length < 16 || length > 128)
    throw new Error('secret length must be 16–128');
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes from 248 up would favour the first characters.
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}
