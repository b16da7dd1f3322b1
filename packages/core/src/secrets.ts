import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (RADIUS shared secrets, LDAP bind passwords, registry credentials): sealed
 * with AES-256-GCM under the process's key (`SECRETS_KEY`, 32 bytes in base64), with the
 * object they belong to as associated data, so a sealed value copied onto another row does not
 * open. Sealed text: `v1.<iv>.<tag>.<ciphertext>` (base64url). The key is never logged.
 */

export interface SecretBox {
  seal(plain: string, context: string): string;
  /** Throws when the text was not sealed under this key and context. */
  open(sealed: string, context: string): string;
  /**
   * A keyed digest (hex HMAC-SHA256 under a key derived from this one for `purpose`): stable
   * fingerprints for unique indexes over secrets, or tokens a party can be shown in advance,
   * without the key ever leaving the box.
   */
  digest(text: string, purpose: string): string;
}

const V = 'v1';

export function parseSecretsKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
  return key;
}

export function newSecretsKey(): string {
  return randomBytes(32).toString('base64');
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('a secrets key is 32 bytes');
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return [
        V,
        iv.toString('base64url'),
        c.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== V || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
    digest(text, purpose) {
      const derived = createHmac('sha256', key).update(`guichet:digest:${purpose}`).digest();
      return createHmac('sha256', derived).update(text, 'utf8').digest('hex');
    },
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random secret of `length` characters from [A-Za-z0-9] (≈ 5.95 bits each: 48 characters are
 * ≈ 285 bits), by rejection sampling so every character is equally likely. No quote, backslash
 * or space: the value goes into configuration files without escaping.
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
