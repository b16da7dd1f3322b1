import { GraphQLError, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { builder } from './index.js';

// A throwaway field per scalar to exercise parsing as a client would, through a document.
builder.queryField('echo', (t) =>
  t.string({
    description: 'Test only.',
    args: {
      prefix: t.arg({ type: 'IPPrefix', required: false }),
      address: t.arg({ type: 'IPAddress', required: false }),
      domain: t.arg({ type: 'DomainName', required: false }),
      email: t.arg({ type: 'EmailAddress', required: false }),
      at: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: (_r, a) => JSON.stringify({ ...a, at: a.at?.toISOString() }),
  }),
);
// The builder declares a Mutation type; a schema needs at least one field on it.
builder.mutationField('noop', (t) => t.boolean({ description: 'Test only.', resolve: () => true }));
const schema = builder.toSchema();

async function echo(arg: string, value: string) {
  // graphql() validates like the server does: literals are checked during validation.
  const literal = await graphql({ schema, source: `{ echo(${arg}: ${JSON.stringify(value)}) }` });
  const variable = await graphql({
    schema,
    source: `query($v: ${typeName(arg)}) { echo(${arg}: $v) }`,
    variableValues: { v: value },
  });
  return { literal, variable };
}

function typeName(arg: string): string {
  return {
    prefix: 'IPPrefix',
    address: 'IPAddress',
    domain: 'DomainName',
    email: 'EmailAddress',
    at: 'DateTime',
  }[arg]!;
}

describe('strict scalars', () => {
  it.each([
    ['prefix', '2001:DB8::/48', '2001:db8::/48'],
    ['prefix', '192.0.2.0/24', '192.0.2.0/24'],
    ['address', '2001:db8:0:0::1', '2001:db8::1'],
    ['domain', 'Univ-Lyon1.FR.', 'univ-lyon1.fr'],
    ['email', 'noc@Renater.FR', 'noc@renater.fr'],
    ['at', '2026-11-23T10:00:00+01:00', '2026-11-23T09:00:00.000Z'],
  ])('%s accepts %s as %s (literal and variable)', async (arg, input, want) => {
    const { literal, variable } = await echo(arg, input);
    for (const r of [literal, variable]) {
      expect(r.errors).toBeUndefined();
      expect(JSON.parse(r.data!.echo as string)[arg]).toBe(want);
    }
  });

  it.each([
    ['prefix', '10.0.0.1/8'],
    ['prefix', '10.0.0.0'],
    ['address', '300.1.1.1'],
    ['domain', 'no_underscores.fr'],
    ['email', 'x'],
    ['at', '2026-11-23 10:00'],
    ['at', '2026-02-31T10:00:00Z'],
    ['at', '2026-11-23T24:00:00Z'],
    ['at', '2026-11-23T10:00:00+25:00'],
    ['at', '0000-01-01T00:00:00Z'],
    ['prefix', '::ffff:10.0.0.0/104'],
    ['prefix', '::ffff:a00:0/104'],
    ['address', '::ffff:192.0.2.1'],
    ['at', '0099-06-01T00:00:00Z'],
    ['at', '1899-12-31T23:59:59Z'],
  ])('%s refuses %s with a VALIDATION error (literal and variable)', async (arg, input) => {
    const { literal, variable } = await echo(arg, input);
    for (const r of [literal, variable]) {
      expect(r.data?.echo ?? null).toBeNull();
      const err = r.errors?.[0];
      expect(err).toBeInstanceOf(GraphQLError);
      const code = err?.extensions.code ?? (err?.originalError as GraphQLError | undefined)?.extensions?.code;
      expect(code).toBe('VALIDATION');
    }
  });
});
