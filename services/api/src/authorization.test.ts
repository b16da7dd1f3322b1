import { type GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from './schema.js';

/**
 * Every root field must say who may use it. Pothos' scope-auth only checks fields that declare
 * scopes, so a new query or mutation without `authScopes` would be open to everybody: this
 * test fails until the author states the rule (`{ public: true }` included, on purpose).
 */

const schema = await buildSchema();

describe('authorisation coverage', () => {
  const roots = [schema.getQueryType(), schema.getMutationType()].filter(isObjectType) as GraphQLObjectType[];

  it.each(
    roots.flatMap((root) =>
      Object.values(root.getFields()).map((f) => [`${root.name}.${f.name}`, f] as const),
    ),
  )('%s declares its auth scopes', (_name, field) => {
    const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
    expect(options?.authScopes, 'add authScopes to this field').toBeDefined();
  });

  it('only login and viewer are public', () => {
    const open = roots.flatMap((root) =>
      Object.values(root.getFields())
        .filter((f) => {
          const scopes = (f.extensions as { pothosOptions?: { authScopes?: Record<string, unknown> } })
            .pothosOptions?.authScopes;
          return typeof scopes === 'object' && scopes !== null && 'public' in scopes;
        })
        .map((f) => `${root.name}.${f.name}`),
    );
    expect(open.sort()).toEqual(['Mutation.login', 'Query.viewer']);
  });

  it('describes every type, field and argument', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if ('getFields' in type) {
        for (const f of Object.values(type.getFields())) {
          if (!f.description) missing.push(`${type.name}.${f.name}`);
          for (const a of 'args' in f ? f.args : [])
            if (!a.description) missing.push(`${type.name}.${f.name}(${a.name})`);
        }
      }
      if ('getValues' in type) {
        for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
