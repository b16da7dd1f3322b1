import { ValidationError } from '@guichet/core';
import { ipv4Mapped, parseAddress, parseDomainName, parseEmailAddress, parsePrefix } from '@guichet/net';
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';

/**
 * Strict scalars. A malformed value is refused while GraphQL parses the request, with a
 * message saying what was expected and `extensions.code = VALIDATION`, so a client sees a
 * typed validation error and no resolver runs.
 */
function strict<T>(name: string, parse: (text: string) => T) {
  const fromText = (v: unknown): T => {
    if (typeof v !== 'string') throw bad(name, `${name} must be a string`);
    try {
      return parse(v);
    } catch (e) {
      throw bad(name, e instanceof ValidationError ? e.message : `invalid ${name}`);
    }
  };
  return {
    parseValue: fromText,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw bad(name, `${name} must be a string`);
      return fromText(ast.value);
    },
  };
}

function bad(scalar: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'VALIDATION', scalar } });
}

builder.scalarType('IPPrefix', {
  description:
    'An IPv4 or IPv6 prefix in CIDR notation with no host bits set, e.g. `192.0.2.0/24` or `2001:db8::/48`; IPv4-mapped IPv6 (`::ffff:0:0/96`) is refused (write the IPv4 prefix). Returned in canonical form (RFC 5952 for IPv6).',
  serialize: (v) => v,
  ...strict('IPPrefix', (t) => {
    const p = parsePrefix(t);
    const v4 = p.family === 6 ? ipv4Mapped(p.address) : undefined;
    if (v4 !== undefined) {
      throw new ValidationError(
        `"${t}" is IPv4-mapped IPv6: write the IPv4 prefix ${v4}/${Math.max(0, p.length - 96)}`,
      );
    }
    return `${p.address}/${p.length}`;
  }),
});

builder.scalarType('IPAddress', {
  description:
    'An IPv4 or IPv6 address, e.g. `192.0.2.1` or `2001:db8::1`; IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is refused (write the IPv4 address). Canonical form on output.',
  serialize: (v) => v,
  ...strict('IPAddress', (t) => {
    const a = parseAddress(t);
    const v4 = a.family === 6 ? ipv4Mapped(a.address) : undefined;
    if (v4 !== undefined)
      throw new ValidationError(`"${t}" is IPv4-mapped IPv6: write the IPv4 address ${v4}`);
    return a.address;
  }),
});

builder.scalarType('DomainName', {
  description:
    'A fully qualified domain name (LDH labels, IDNs as `xn--` A-labels), lower-cased, without the final dot.',
  serialize: (v) => v,
  ...strict('DomainName', parseDomainName),
});

builder.scalarType('EmailAddress', {
  description: 'An email address (the WHATWG form definition); the domain part is lower-cased.',
  serialize: (v) => v,
  ...strict('EmailAddress', parseEmailAddress),
});

// RFC 3339 date-time with an explicit offset: a timestamp without a zone means different
// instants in Paris and Nouméa, so it is refused rather than guessed.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/i;

// Years a person can mean here. Year 0000 does not exist in PostgreSQL (it fails there as an
// internal error), and Date.UTC reads years below 100 as 19xx.
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

/** `Date` would roll 31 February over into March; every field is range-checked instead. */
export function parseDateTime(t: string): Date {
  const m = RFC3339.exec(t);
  const fail = () => new ValidationError(`"${t}" is not an RFC 3339 date-time with offset`);
  if (!m) throw fail();
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < MIN_YEAR) throw new ValidationError(`"${t}": the year must be ${MIN_YEAR} to ${MAX_YEAR}`);
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || !offsetOk) throw fail();
  return new Date(t);
}

builder.scalarType('DateTime', {
  description: `An instant as RFC 3339 text with a time-zone offset, e.g. \`2026-11-23T10:00:00Z\`, in the years ${MIN_YEAR} to ${MAX_YEAR}. Output in UTC.`,
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  ...strict('DateTime', parseDateTime),
});
