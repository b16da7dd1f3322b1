import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

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
  };
}
