import { ValidationError } from '@guichet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Mapped, parseAddress, parsePrefix } from './address.js';
import { parseDomainName, parseEmailAddress } from './domain.js';

describe('parsePrefix', () => {
  it.each([
    ['10.0.1.0/24', '10.0.1.0', 24],
    ['2001:DB8:0:0::/48', '2001:db8::', 48],
    ['0.0.0.0/0', '0.0.0.0', 0],
    [' 192.0.2.128/25 ', '192.0.2.128', 25],
  ])('canonicalises %s', (text, address, length) => {
    expect(parsePrefix(text)).toMatchObject({ address, length });
  });

  it.each([
    '10.0.1.1/24',
    '10.0.1.0/33',
    '10.0.1.0',
    '010.0.1.0/24',
    '10.0.1.0/ 24',
    '2001:db8::1/48',
    'fe80::1%eth0/64',
    'not/24',
    '10.0.1.0/-1',
  ])('refuses %s with a ValidationError at the given path', (text) => {
    const err = (() => {
      try {
        parsePrefix(text, ['input', 'prefix']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toEqual(['input', 'prefix']);
  });

  it('names the real prefix when host bits are set', () => {
    expect(() => parsePrefix('10.0.1.77/24')).toThrow(/10\.0\.1\.0\/24/);
  });

  it('accepts exactly the IPv4 prefixes whose host bits are zero (oracle: integer arithmetic)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (n, len) => {
        const text = `${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')}/${len}`;
        const hostBits = len === 32 ? 0 : n % 2 ** (32 - len);
        if (hostBits === 0) expect(parsePrefix(text).length).toBe(len);
        else expect(() => parsePrefix(text)).toThrow(ValidationError);
      }),
    );
  });
});

describe('parseAddress', () => {
  it('canonicalises IPv6 per RFC 5952', () => {
    expect(parseAddress('2001:0DB8:0000:0000:0000:0000:0000:0001').address).toBe('2001:db8::1');
  });
  it.each([
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:a00:1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:c000:201', '192.0.2.1'],
  ])('knows %s as the IPv4-mapped form of %s', (t, v4) => {
    expect(ipv4Mapped(parseAddress(t).address)).toBe(v4);
  });
  it.each(['::', '::1', '::fffe:a00:1', '::1:ffff:a00:1', '2001:db8::1'])(
    'knows %s is not IPv4-mapped',
    (t) => {
      expect(ipv4Mapped(parseAddress(t).address)).toBeUndefined();
    },
  );
  it.each(['1.2.3', '1.2.3.256', '::g', '', '1.2.3.4/32'])('refuses %s', (t) => {
    expect(() => parseAddress(t)).toThrow(ValidationError);
  });
});

describe('parseDomainName / parseEmailAddress', () => {
  it('lower-cases and drops the final dot', () => {
    expect(parseDomainName('Univ-Example.FR.')).toBe('univ-example.fr');
  });
  it.each([
    'localhost',
    '-a.fr',
    'a-.fr',
    'a..fr',
    '_dmarc.x.fr',
    'x.123',
    `${'a'.repeat(64)}.fr`,
    'ab--c.fr',
  ])('refuses domain %s', (t) => expect(() => parseDomainName(t)).toThrow(ValidationError));
  it('accepts IDN A-labels', () => {
    expect(parseDomainName('xn--univ-lyon-f2a.fr')).toBe('xn--univ-lyon-f2a.fr');
  });
  it.each(['x', 'a@b', '@x.fr', 'a..b@x.fr', 'a b@x.fr'])('refuses email %s', (t) =>
    expect(() => parseEmailAddress(t)).toThrow(ValidationError),
  );
  it('keeps the local part and lower-cases the domain', () => {
    expect(parseEmailAddress('Jeanne.Dupont@Univ-Example.FR')).toBe('Jeanne.Dupont@univ-example.fr');
  });
});

describe('addressInPrefix', async () => {
  const { addressInPrefix } = await import('./address.js');
  it.each([
    ['127.0.0.1', '127.0.0.0/8', true],
    ['::ffff:127.0.0.1', '127.0.0.1', true],
    ['10.1.2.3', '10.1.2.4', false],
    ['2001:db8::5', '2001:db8::/32', true],
    ['2001:db8::5', '10.0.0.0/8', false],
    ['garbage', '10.0.0.0/8', false],
  ])('%s in %s → %s', (a, p, want) => {
    expect(addressInPrefix(a, p)).toBe(want);
  });
});
