import { describe, expect, it } from 'vitest';
import {
  newSecretsKeyText,
  openSecret,
  randomSecret,
  sealSecret,
  secretFingerprint,
  secretsKey,
} from './secrets.js';

describe('secrets at rest', () => {
  const key = secretsKey(newSecretsKeyText());

  it('seals and opens, with a fresh IV each time', () => {
    const a = sealSecret(key, 'homesecret', 'server:1');
    const b = sealSecret(key, 'homesecret', 'server:1');
    expect(a).not.toEqual(b);
    expect(a).not.toContain('homesecret');
    expect(openSecret(key, a, 'server:1')).toBe('homesecret');
  });

  it('refuses another key, another context and a tampered value', () => {
    const sealed = sealSecret(key, 'homesecret', 'server:1');
    expect(() => openSecret(secretsKey(newSecretsKeyText()), sealed, 'server:1')).toThrow(/does not open/);
    expect(() => openSecret(key, sealed, 'server:2')).toThrow(/does not open/);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => openSecret(key, parts.join('.'), 'server:1')).toThrow(/does not open/);
    expect(() => openSecret(key, 'plain', 'server:1')).toThrow(/not a sealed secret/);
  });

  it('accepts the key as hex or base64 and never prints it', () => {
    const hex = newSecretsKeyText();
    const k = secretsKey(Buffer.from(hex, 'hex').toString('base64'));
    expect(openSecret(secretsKey(hex), sealSecret(k, 'x'))).toBe('x');
    expect(JSON.stringify(k)).not.toContain(hex.slice(0, 8));
    expect(() => secretsKey('short')).toThrow(/SECRETS_KEY/);
  });

  it('generates long random secrets from a plain alphabet, and fingerprints them under the key', () => {
    const s = randomSecret(48);
    expect(s).toMatch(/^[A-Za-z0-9]{48}$/);
    const many = new Set(Array.from({ length: 2000 }, () => randomSecret(32)));
    expect(many.size).toBe(2000);
    expect(secretFingerprint(key, s)).toBe(secretFingerprint(key, s));
    expect(secretFingerprint(key, s)).not.toBe(secretFingerprint(secretsKey(newSecretsKeyText()), s));
    expect(() => randomSecret(8)).toThrow();
  });
});
