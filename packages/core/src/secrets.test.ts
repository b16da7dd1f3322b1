import { describe, expect, it } from 'vitest';
import { createSecretBox, newSecretsKey, parseSecretsKey, randomSecret } from './secrets.js';

describe('secret box', () => {
  const box = createSecretBox(parseSecretsKey(newSecretsKey()));

  it('seals with a fresh IV and opens only under the same key and context', () => {
    const a = box.seal('homesecret', 'server:1');
    expect(a).not.toEqual(box.seal('homesecret', 'server:1'));
    expect(a).not.toContain('homesecret');
    expect(box.open(a, 'server:1')).toBe('homesecret');
    expect(() => box.open(a, 'server:2')).toThrow();
    expect(() => createSecretBox(parseSecretsKey(newSecretsKey())).open(a, 'server:1')).toThrow();
  });

  it('digests under a key of its own per purpose', () => {
    expect(box.digest('x', 'p')).toBe(box.digest('x', 'p'));
    expect(box.digest('x', 'p')).toMatch(/^[0-9a-f]{64}$/);
    expect(box.digest('x', 'p')).not.toBe(box.digest('x', 'q'));
    expect(box.digest('x', 'p')).not.toBe(createSecretBox(parseSecretsKey(newSecretsKey())).digest('x', 'p'));
  });

  it('generates long random secrets from a plain alphabet, never twice', () => {
    expect(randomSecret(48)).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(new Set(Array.from({ length: 2000 }, () => randomSecret(32))).size).toBe(2000);
    expect(() => randomSecret(8)).toThrow();
  });
});
