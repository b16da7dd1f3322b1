import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type DocumentNode, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from './documents.js';

/**
 * Every document the command sends is valid against the checked-in schema (schema.graphql, the
 * printed public API): a field renamed on the server fails here, not in a user's script.
 */
const schema = buildSchema(readFileSync(join(import.meta.dirname, '../../../schema.graphql'), 'utf8'));

describe('the CLI’s GraphQL documents', () => {
  const all = Object.entries(documents) as [string, DocumentNode][];
  it('exports every document (none lost in the move to gql.tada)', () => {
    expect(all.length).toBeGreaterThanOrEqual(39);
    for (const [, doc] of all) expect(print(doc)).toMatch(/^(query|mutation)/);
  });
  for (const [name, doc] of all) {
    it(`${name} validates against schema.graphql`, () => {
      expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
    });
  }
});
