/**
 * The hostile values the fuzz test sends into every scalar position (test code only). Each
 * position gets the values of its own kind and a few of every other kind, so coercion is
 * exercised as well as the resolvers. The list is fixed: a run is reproducible.
 */

const forgedCursor = (first: unknown) =>
  Buffer.from(JSON.stringify([first, '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60'])).toString('base64url');

export const TEXT: readonly unknown[] = [
  '',
  ' ',
  'x'.repeat(100_000),
  'a\u0000b',
  'ding\u0007',
  'x\u0085y',
  'a\ud800b',
  '\udc00',
  'é😀\u200b\u202e',
  "'; DROP TABLE membership_institutions; --",
  '%s%n%x%d',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, sent as text
  '${jndi:ldap://x}',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '3F1C2A9E-8B7D-4C6E-9A5F-1B2C3D4E5F60',
  '{3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60}',
  // forged keyset cursors of the lists
  forgedCursor('\u0000'),
  forgedCursor('\ud800'),
  forgedCursor(12),
  '0000-01-01T00:00:00.000Z_3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60',
  // JSON texts (payloads) whose escapes decode to what PostgreSQL refuses
  '{"name":"\\u0000"}',
  '{"name":"\\ud800"}',
  '[]',
  'null',
  '1e309',
  // prefixes, addresses, names, dates a user would never mean
  '::/0',
  '0.0.0.0/0',
  '::ffff:10.0.0.0/104',
  '10.0.0.1/8',
  '1.2.3.4/33',
  '010.0.0.1',
  'fe80::1%eth0',
  '0000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
  'a..b.fr',
  `${'a'.repeat(64)}.fr`,
  'xn--.fr',
  'a@b',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7', // a valid UUID that names nothing
];

export const NUMBERS: readonly unknown[] = [
  -1,
  0,
  2147483647,
  2147483648,
  -2147483649,
  1.5,
  1e308,
  -0,
  'NaN',
  '1',
];
export const BOOLEANS: readonly unknown[] = ['true', 0, 1];
export const ENUMS: readonly unknown[] = ['NOPE', 'admin', '', 1];
export const WRONG_SHAPES: readonly unknown[] = [null, [], {}, true, 7];

/** The values for a position of the given named type (`enumValues` for an enum). */
export function hostileFor(typeName: string, isEnum: boolean): unknown[] {
  if (isEnum) return [...ENUMS, ...WRONG_SHAPES, TEXT[3]];
  if (typeName === 'Int' || typeName === 'Float') return [...NUMBERS, ...WRONG_SHAPES, 'x'.repeat(100_000)];
  if (typeName === 'Boolean') return [...BOOLEANS, ...WRONG_SHAPES];
  return [...TEXT, ...WRONG_SHAPES, -1, 1.5];
}

/** A plausible valid value of a scalar, for positions the baseline call leaves empty. */
export function sampleFor(typeName: string, enumValues: string[]): unknown {
  if (enumValues.length) return enumValues[0];
  switch (typeName) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'ID':
      return '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    case 'IPPrefix':
      return '2001:db8::/48';
    case 'IPAddress':
      return '192.0.2.1';
    case 'DomainName':
      return 'example.fr';
    case 'EmailAddress':
      return 'fuzz@example.fr';
    default:
      return 'fuzz';
  }
}
